package io.modeld.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CatalogTest {

    /**
     * Size and SHA-256 of each file by repository and name, from shared/catalog-facts.md; a projector's ("projector",
     * its SHA-256) beside its model's.
     */
    private static final Map<String, String> FACTS = Map.ofEntries(
            Map.entry("bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf", "807694464 6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83"),
            Map.entry("bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf", "2019377696 6c1a2b41161032677be168d354123594c0e6e67d2b9227c84f296ad037c728ff"),
            Map.entry("bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF/Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf", "986048800 f530705d447660a4336c329981af164b471b60b974b1d808d57e8ec9fe23b239"),
            Map.entry("bartowski/Qwen2.5-Coder-7B-Instruct-GGUF/Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf", "4683074336 1664fccab734674a50763490a8c6931b70e3f2f8ec10031b54806d30e5f956b6"),
            Map.entry("bartowski/Phi-3.5-mini-instruct-GGUF/Phi-3.5-mini-instruct-Q4_K_M.gguf", "2393232672 e4165e3a71af97f1b4820da61079826d8752a2088e313af0c7d346796c38eff5"),
            Map.entry("bartowski/gemma-2-2b-it-GGUF/gemma-2-2b-it-Q4_K_M.gguf", "1708582752 e0aee85060f168f0f2d8473d7ea41ce2f3230c1bc1374847505ea599288a7787"),
            Map.entry("bartowski/Mistral-7B-Instruct-v0.3-GGUF/Mistral-7B-Instruct-v0.3-Q4_K_M.gguf", "4372812000 1270d22c0fbb3d092fb725d4d96c457b7b687a5f5a715abe1e818da303e562b6"),
            Map.entry("bartowski/granite-3.1-2b-instruct-GGUF/granite-3.1-2b-instruct-Q4_K_M.gguf", "1545295424 774269c82fde2720ea18dcf457fb5bd028fe096139a0735f4ad59c0a270cfc9c"),
            Map.entry("bartowski/granite-3.1-8b-instruct-GGUF/granite-3.1-8b-instruct-Q4_K_M.gguf", "4942858720 b72cfca8e30f23af77f922ce18d6fe1a5d4925907dddf7249c0cabc2739d48c8"),
            Map.entry("TheBloke/deepseek-coder-6.7B-instruct-GGUF/deepseek-coder-6.7b-instruct.Q4_K_M.gguf", "4083015904 92da6238854f2fa902d8b2ad79d548536af1d3ab06821f323bd5bbcea2013276"),
            Map.entry("bartowski/SmolLM2-1.7B-Instruct-GGUF/SmolLM2-1.7B-Instruct-Q4_K_M.gguf", "1055609824 77665ea4815999596525c636fbeb56ba8b080b46ae85efef4f0d986a139834d7"),
            Map.entry("TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF/tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf", "668788096 9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0"),
            Map.entry("unsloth/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q4_K_M.gguf", "396705472 ac2d97712095a558e31573f62f466a3f9d93990898b0ec79d7c974c1780d524a"),
            Map.entry("unsloth/Qwen3-1.7B-GGUF/Qwen3-1.7B-Q4_K_M.gguf", "1107409472 b139949c5bd74937ad8ed8c8cf3d9ffb1e99c866c823204dc42c0d91fa181897"),
            Map.entry("Qwen/Qwen3-4B-GGUF/Qwen3-4B-Q4_K_M.gguf", "2497280256 7485fe6f11af29433bc51cab58009521f205840f5b4ae3a32fa7f92e8534fdf5"),
            Map.entry("unsloth/Qwen3-4B-Instruct-2507-GGUF/Qwen3-4B-Instruct-2507-Q4_K_M.gguf", "2497281120 3605803b982cb64aead44f6c1b2ae36e3acdb41d8e46c8a94c6533bc4c67e597"),
            Map.entry("Qwen/Qwen3-8B-GGUF/Qwen3-8B-Q4_K_M.gguf", "5027783488 d98cdcbd03e17ce47681435b5150e34c1417f50b5c0019dd560e4882c5745785"),
            Map.entry("unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF/Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf", "18556689568 fadc3e5f8d42bf7e894a785b05082e47daee4df26680389817e2093056f088ad"),
            Map.entry("unsloth/gemma-3-1b-it-GGUF/gemma-3-1b-it-Q4_K_M.gguf", "806058272 8270790f3ab69fdfe860b7b64008d9a19986d8df7e407bb018184caa08798ebd"),
            Map.entry("unsloth/gemma-3-4b-it-GGUF/gemma-3-4b-it-Q4_K_M.gguf", "2489894016 04a43a22e8d2003deda5acc262f68ec1005fa76c735a9962a8c77042a74a7d19"),
            Map.entry("unsloth/gemma-3n-E2B-it-GGUF/gemma-3n-E2B-it-Q4_K_M.gguf", "3026881888 189d42b4303cb1078ea8d00963f437cd6d884069b7ba2ba80b38cd09585dc415"),
            Map.entry("unsloth/gemma-3n-E4B-it-GGUF/gemma-3n-E4B-it-Q4_K_M.gguf", "4539054208 43b489bb77a81bda85180e7c490d40ad7f1d5c2ce654c9b05e15e104bd3c777e"),
            Map.entry("ggml-org/gpt-oss-20b-GGUF/gpt-oss-20b-MXFP4.gguf", "12109566624 27cd6c432c7672cb812a92f611cf3ba7bbc35928262bb1e1253ff4ee6ae35901"),
            Map.entry("unsloth/SmolLM3-3B-GGUF/SmolLM3-3B-Q4_K_M.gguf", "1915306528 4de907d2d388a5508fb7cb443a06effe14cce3518b0a78d3bdd9e74d9edce989"),
            Map.entry("unsloth/Phi-4-mini-instruct-GGUF/Phi-4-mini-instruct-Q4_K_M.gguf", "2491874272 88c00229914083cd112853aab84ed51b87bdf6b9ce42f532d8c85c7c63b1730a"),
            Map.entry("unsloth/Llama-3.1-8B-Instruct-GGUF/Llama-3.1-8B-Instruct-Q4_K_M.gguf", "4920739200 b3bdbf23b47d7e6bb791c99b206deb169cd5a96362a9e3399028df2faacdc506"),
            Map.entry("ibm-granite/granite-3.3-2b-instruct-GGUF/granite-3.3-2b-instruct-Q4_K_M.gguf", "1545303328 ac71e9e32c0bea919b409c5918f69ca74339854b0319c5065e4e9fb6d95c4852"),
            Map.entry("ibm-granite/granite-3.3-8b-instruct-GGUF/granite-3.3-8b-instruct-Q4_K_M.gguf", "4942873344 77bcee066a76dcdd10d0d123c87e32c8ec2c74e31b6ffd87ebee49c9ac215dca"),
            Map.entry("ibm-granite/granite-4.0-micro-GGUF/granite-4.0-micro-Q4_K_M.gguf", "2099502528 97c417dcc0534b0737c74016fb2af083cb17c3b51eaac621192d23961b7024eb"),
            Map.entry("unsloth/Mistral-Small-3.2-24B-Instruct-2506-GGUF/Mistral-Small-3.2-24B-Instruct-2506-Q4_K_M.gguf", "14333922848 a3cc56310807ed0d145eaf9f018ccda9ae7ad8edb41ec870aa2454b0d4700b3c"),
            Map.entry("unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF/DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf", "1117321312 f3bdf9cf31dee4b57ae4e455a1cb0d01b5c2c1b50d72d3112141c195506c2840"),
            Map.entry("unsloth/DeepSeek-R1-Distill-Qwen-7B-GGUF/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf", "4683073248 78272d8d32084548bd450394a560eb2d70de8232ab96a725769b1f9171235c1c"),
            Map.entry("nomic-ai/nomic-embed-text-v1.5-GGUF/nomic-embed-text-v1.5.f16.gguf", "274290560 f7af6f66802f4df86eda10fe9bbcfc75c39562bed48ef6ace719a251cf1c2fdb"),
            Map.entry("ggml-org/bge-small-en-v1.5-Q8_0-GGUF/bge-small-en-v1.5-q8_0.gguf", "36685152 f046db1dc724cf4f6f0a0c5917e922823b73eb1d27b8f9a9c2797f7866974804"),
            Map.entry("second-state/All-MiniLM-L6-v2-Embedding-GGUF/all-MiniLM-L6-v2-Q8_0.gguf", "25008064 263215c3cadd6e16740741a7624ab4cbb6c8e777688bd5331ecfbf5681c2f8ed"),
            Map.entry("mixedbread-ai/mxbai-embed-large-v1/gguf/mxbai-embed-large-v1-f16.gguf", "669603712 819c2adf5ce6df2b6bd2ae4ca90d2a69f060afeb438d0c171db57daa02e39c3d"),
            Map.entry("Qwen/Qwen3-Embedding-0.6B-GGUF/Qwen3-Embedding-0.6B-Q8_0.gguf", "639150592 06507c7b42688469c4e7298b0a1e16deff06caf291cf0a5b278c308249c3e439"),
            Map.entry("ggml-org/embeddinggemma-300M-GGUF/embeddinggemma-300M-Q8_0.gguf", "333590944 b5ce9d77a3fc4b3b39ccb5643c36777911cc4eb46a66962eadfa3f5f60490d63"),
            Map.entry("gpustack/bge-reranker-v2-m3-GGUF/bge-reranker-v2-m3-Q4_K_M.gguf", "438376864 e186a244ed455b4ab66ec64339ce7427a6ae13f5c0b5e544de96e50f0f8b3673"),
            Map.entry("gpustack/jina-reranker-v1-tiny-en-GGUF/jina-reranker-v1-tiny-en-Q8_0.gguf", "null 0defc1f8a1f4dd22183124a2a25a97765603e5a9e42258046c9b2c8a26d1f553"),
            Map.entry("ggml-org/gemma-3-4b-it-GGUF/gemma-3-4b-it-Q4_K_M.gguf", "2489757856 882e8d2db44dc554fb0ea5077cb7e4bc49e7342a1f0da57901c0802ea21a0863"),
            Map.entry("ggml-org/gemma-3-4b-it-GGUF/mmproj-model-f16.gguf", "projector 8c0fb064b019a6972856aaae2c7e4792858af3ca4561be2dbf649123ba6c40cb"),
            Map.entry("ggml-org/Qwen2.5-VL-3B-Instruct-GGUF/Qwen2.5-VL-3B-Instruct-Q4_K_M.gguf", "1929901056 d02fe9b69ad8cadbbd228e387667af66612c44bed29ffc8eb1e7caf9ac486c12"),
            Map.entry("ggml-org/Qwen2.5-VL-3B-Instruct-GGUF/mmproj-Qwen2.5-VL-3B-Instruct-Q8_0.gguf", "projector 980c9b2f78c04e6cff93d277ada09e768394f112d75db3b4e9dea8a69f9fb904"),
            Map.entry("ggml-org/SmolVLM2-2.2B-Instruct-GGUF/SmolVLM2-2.2B-Instruct-Q4_K_M.gguf", "1112602656 0cf76814555b8665149075b74ab6b5c1d428ea1d3d01c1918c12012e8d7c9f58"),
            Map.entry("ggml-org/SmolVLM2-2.2B-Instruct-GGUF/mmproj-SmolVLM2-2.2B-Instruct-Q8_0.gguf", "projector ae07ea1facd07dd3230c4483b63e8cda96c6944ad2481f33d531f79e892dd024"),
            Map.entry("ggml-org/Qwen3-VL-2B-Instruct-GGUF/Qwen3-VL-2B-Instruct-Q8_0.gguf", "1834427296 b7802e29f71a9e5b5e3f83f613df898a2204342dcea71a231ea501d481813c39"),
            Map.entry("ggml-org/Qwen3-VL-2B-Instruct-GGUF/mmproj-Qwen3-VL-2B-Instruct-Q8_0.gguf", "projector 69066c8f279ec85ff48ab4059f6ebba0d2932ca57667f2bbdac7d9805bca9e7b"),
            Map.entry("ggml-org/Voxtral-Mini-3B-2507-GGUF/Voxtral-Mini-3B-2507-Q4_K_M.gguf", "2473001920 4705be8ec22ca23d12632f4b4a3691faa95917d90a06d3cf3c3ec0e91958f1a8"),
            Map.entry("ggml-org/Voxtral-Mini-3B-2507-GGUF/mmproj-Voxtral-Mini-3B-2507-Q8_0.gguf", "projector 4f24c4ef3ce929d02ed9d1cfb050ae9a7365f057c0ddec0d489580982ebe0d02"),
            Map.entry("ggml-org/ultravox-v0_5-llama-3_2-1b-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf", "807694464 6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83"),
            Map.entry("ggml-org/ultravox-v0_5-llama-3_2-1b-GGUF/mmproj-ultravox-v0_5-llama-3_2-1b-f16.gguf", "projector b34dde1835752949d6b960528269af93c92fec91c61ea0534fcc73f96c1ed8b2"),
            Map.entry("ggml-org/Qwen2.5-Omni-3B-GGUF/Qwen2.5-Omni-3B-Q4_K_M.gguf", "2104931648 4b0bd358c1e9ec55dd3055ef6d71c958c821533d85916a10cfa89c4552a86e29"),
            Map.entry("ggml-org/Qwen2.5-Omni-3B-GGUF/mmproj-Qwen2.5-Omni-3B-Q8_0.gguf", "projector 4e6c816cd33f7298d07cb780c136a396631e50e62f6501660271f8c6e302e565"));

    @Test
    void built_in_catalog_carries_the_verified_size_and_digest_of_each_file() {
        List<ModelSpec> specs = Catalog.builtIn();
        Map<String, String> actual = new java.util.HashMap<>();
        for (ModelSpec s : specs) {
            actual.put(repoFile(s.source().url()), s.bytes() + " " + s.source().sha256());
            if (s.source().projector() != null) {
                actual.put(repoFile(s.source().projector().url()), "projector " + s.source().projector().sha256());
            }
        }
        assertThat(actual).isEqualTo(FACTS);
        for (ModelSpec s : specs) {
            // a pinned revision where the file at main was replaced once (Qwen2.5-Omni)
            assertThat(s.source().url()).matches("https://huggingface\\.co/[^/]+/[^/]+/resolve/(main|[0-9a-f]{40})/.+\\.gguf");
            if (s.bytes() != null && s.ram() != null) {
                assertThat(s.ram()).isGreaterThan(s.bytes());
            }
            assertThat(s.usage()).isIn("CODE_CONVERSATION", "TEXT_EMBEDDING", "CODE_SEARCH");
            assertThat(s.cpu()).isTrue();
            assertThat(s.cloud()).isFalse();
            assertThat(s.family()).as(s.unique()).isNotBlank();
            assertThat(s.released()).as(s.unique()).isBetween(2021, 2026);
        }
    }

    private static String repoFile(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("https://huggingface\\.co/([^/]+/[^/]+)/resolve/[^/]+/(.+)")
                .matcher(url);
        assertThat(m.matches()).as(url).isTrue();
        return m.group(1) + "/" + m.group(2);
    }

    @Test
    void vision_and_audio_models_bring_the_projector_of_their_own_repository() {
        Map<String, ModelSpec> byUnique = Catalog.builtIn().stream().collect(Collectors.toMap(ModelSpec::unique, s -> s));
        for (String u : List.of("gemma-3-4b-it-vision-q4_k_m", "qwen2.5-vl-3b-instruct-q4_k_m", "smolvlm2-2.2b-instruct-q4_k_m",
                "qwen3-vl-2b-instruct-q8_0", "voxtral-mini-3b-2507-q4_k_m", "ultravox-v0_5-llama-3_2-1b-q4_k_m",
                "qwen2.5-omni-3b-q4_k_m")) {
            ModelSpec s = byUnique.get(u);
            assertThat(s.source().projector()).as(u).isNotNull();
            String model = s.source().url();
            String projector = s.source().projector().url();
            assertThat(projector.substring(0, projector.lastIndexOf('/'))).as(u).isEqualTo(model.substring(0, model.lastIndexOf('/')));
            assertThat(projector.substring(projector.lastIndexOf('/') + 1)).startsWith("mmproj-");
            assertThat(s.ram()).as(u + ": the projector is loaded too").isGreaterThan(s.bytes() + 400_000_000L);
        }
        assertThat(byUnique.get("gemma-3-4b-it-vision-q4_k_m").capabilities().images()).isTrue();
        assertThat(byUnique.get("voxtral-mini-3b-2507-q4_k_m").capabilities().images()).as("audio only").isFalse();
        assertThat(byUnique.get("gemma-3-4b-it-q4_k_m").source().projector()).as("unsloth's file, text only").isNull();
    }

    @Test
    void every_model_says_what_a_load_costs_and_all_but_one_unconfirmed_file_their_size() {
        for (ModelSpec s : Catalog.builtIn()) {
            assertThat(s.ram()).as(s.unique()).isNotNull().isGreaterThan(s.bytes() == null ? 0 : s.bytes());
            if (!s.unique().equals("jina-reranker-v1-tiny-en-q8_0")) {
                assertThat(s.bytes()).as(s.unique()).isNotNull();
            }
        }
    }

    @Test
    void current_models_carry_their_ollama_names_and_roles() {
        Map<String, ModelSpec> byUnique = Catalog.builtIn().stream().collect(Collectors.toMap(ModelSpec::unique, s -> s));
        assertThat(byUnique.get("qwen3-4b-q4_k_m").ollama()).isEqualTo("qwen3:4b");
        assertThat(byUnique.get("gpt-oss-20b-mxfp4").ollama()).isEqualTo("gpt-oss:20b");
        assertThat(byUnique.get("gpt-oss-20b-mxfp4").quantization()).isEqualTo("MXFP4");
        assertThat(byUnique.get("gemma-3n-e4b-it-q4_k_m").ollama()).isEqualTo("gemma3n:e4b");
        assertThat(byUnique.get("smollm3-3b-q4_k_m").ollama()).as("Ollama has no SmolLM3").isNull();
        assertThat(byUnique.get("nomic-embed-text-v1.5-f16").usage()).isEqualTo("TEXT_EMBEDDING");
        assertThat(byUnique.get("bge-reranker-v2-m3-q4_k_m").usage()).isEqualTo("CODE_SEARCH");
        assertThat(byUnique.get("jina-reranker-v1-tiny-en-q8_0").bytes()).as("size not confirmed: taken from the server").isNull();
        assertThat(byUnique.values().stream().map(ModelSpec::ollama).filter(java.util.Objects::nonNull)).doesNotHaveDuplicates();
    }

    @Test
    void ids_are_name_based_and_stable() {
        assertThat(Catalog.idOf("llama-3.2-1b-instruct-q4_k_m"))
                .isEqualTo(Catalog.idOf("llama-3.2-1b-instruct-q4_k_m"))
                .isNotEqualTo(Catalog.idOf("llama-3.2-3b-instruct-q4_k_m"))
                .isEqualTo("abd79059-11bb-33ab-9879-75c6db52ec8d");
    }
}
