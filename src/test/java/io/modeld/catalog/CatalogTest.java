package io.modeld.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CatalogTest {

    /** Size and SHA-256 of each file, from shared/catalog-facts.md. */
    private static final Map<String, String> FACTS = Map.ofEntries(
            Map.entry("Llama-3.2-1B-Instruct-Q4_K_M.gguf", "807694464 6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83"),
            Map.entry("Llama-3.2-3B-Instruct-Q4_K_M.gguf", "2019377696 6c1a2b41161032677be168d354123594c0e6e67d2b9227c84f296ad037c728ff"),
            Map.entry("Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf", "986048800 f530705d447660a4336c329981af164b471b60b974b1d808d57e8ec9fe23b239"),
            Map.entry("Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf", "4683074336 1664fccab734674a50763490a8c6931b70e3f2f8ec10031b54806d30e5f956b6"),
            Map.entry("Phi-3.5-mini-instruct-Q4_K_M.gguf", "2393232672 e4165e3a71af97f1b4820da61079826d8752a2088e313af0c7d346796c38eff5"),
            Map.entry("gemma-2-2b-it-Q4_K_M.gguf", "1708582752 e0aee85060f168f0f2d8473d7ea41ce2f3230c1bc1374847505ea599288a7787"),
            Map.entry("Mistral-7B-Instruct-v0.3-Q4_K_M.gguf", "4372812000 1270d22c0fbb3d092fb725d4d96c457b7b687a5f5a715abe1e818da303e562b6"),
            Map.entry("granite-3.1-2b-instruct-Q4_K_M.gguf", "1545295424 774269c82fde2720ea18dcf457fb5bd028fe096139a0735f4ad59c0a270cfc9c"),
            Map.entry("granite-3.1-8b-instruct-Q4_K_M.gguf", "4942858720 b72cfca8e30f23af77f922ce18d6fe1a5d4925907dddf7249c0cabc2739d48c8"),
            Map.entry("deepseek-coder-6.7b-instruct.Q4_K_M.gguf", "4083015904 92da6238854f2fa902d8b2ad79d548536af1d3ab06821f323bd5bbcea2013276"),
            Map.entry("SmolLM2-1.7B-Instruct-Q4_K_M.gguf", "1055609824 77665ea4815999596525c636fbeb56ba8b080b46ae85efef4f0d986a139834d7"),
            Map.entry("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf", "668788096 9fecc3b3cd76bba89d504f29b616eedf7da85b96540e490ca5824d3f7d2776a0"));

    @Test
    void built_in_catalog_carries_the_verified_size_and_digest_of_each_file() {
        List<ModelSpec> specs = Catalog.builtIn();
        assertThat(specs).hasSize(12);
        Map<String, String> actual = specs.stream().collect(Collectors.toMap(
                s -> s.source().url().substring(s.source().url().lastIndexOf('/') + 1),
                s -> s.bytes() + " " + s.source().sha256()));
        assertThat(actual).isEqualTo(FACTS);
        for (ModelSpec s : specs) {
            assertThat(s.source().url()).matches("https://huggingface\\.co/[^/]+/[^/]+/resolve/main/[^/]+\\.gguf");
            assertThat(s.ram()).isGreaterThan(s.bytes());
            assertThat(s.quantization()).isEqualTo("Q4_K_M");
            assertThat(s.usage()).isEqualTo("CODE_CONVERSATION");
            assertThat(s.cpu()).isTrue();
            assertThat(s.cloud()).isFalse();
            assertThat(s.parameters()).isBetween(1.0, 9.0);
        }
    }

    @Test
    void ids_are_name_based_and_stable() {
        assertThat(Catalog.idOf("llama-3.2-1b-instruct-q4_k_m"))
                .isEqualTo(Catalog.idOf("llama-3.2-1b-instruct-q4_k_m"))
                .isNotEqualTo(Catalog.idOf("llama-3.2-3b-instruct-q4_k_m"))
                .isEqualTo("abd79059-11bb-33ab-9879-75c6db52ec8d");
    }
}
