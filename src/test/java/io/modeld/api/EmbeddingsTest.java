package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Embeddings and reranking through OpenAI's and the Jina/Cohere routes, on tiny bert models the test writes. */
class EmbeddingsTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @BeforeEach
    void models() throws Exception {
        Path embedder = files.resolve("embedder.gguf");
        Path reranker = files.resolve("reranker.gguf");
        TinyModels.bertEmbedder(embedder, 1);
        TinyModels.bertReranker(reranker, 2);
        Downloading.downloaded(daemon, embedder, "embedder");
        Downloading.downloaded(daemon, reranker, "reranker");
        Downloading.tinyModel(daemon, files, "chatter", 3);
    }

    private JsonNode embed(Object input, String extra) throws Exception {
        String body = "{\"model\": \"embedder\", \"input\": " + Json.MAPPER.writeValueAsString(input) + extra + "}";
        return ok(daemon.post("/v1/embeddings", body));
    }

    private static float[] vector(JsonNode item) {
        JsonNode e = item.get("embedding");
        if (e.isTextual()) {
            ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(e.asText())).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            return v;
        }
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) e.get(i).asDouble();
        }
        return v;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void vectors_have_the_models_dimension_unit_length_and_are_the_same_for_the_same_input() throws Exception {
        JsonNode one = embed("hello world", "");
        assertThat(one.get("object").asText()).isEqualTo("list");
        float[] v = vector(one.get("data").get(0));
        assertThat(v).hasSize(64);
        assertThat(norm(v)).isCloseTo(1.0, Offset.offset(1e-5));
        assertThat(vector(embed("hello world", "").get("data").get(0))).containsExactly(v);
        assertThat(vector(embed("something else", "").get("data").get(0))).isNotEqualTo(v);
        assertThat(one.get("usage").get("prompt_tokens").asInt()).isEqualTo(one.get("usage").get("total_tokens").asInt())
                .isGreaterThan(10);
        assertThat(one.get("model").asText()).isEqualTo("embedder");
    }

    @Test
    void a_batch_of_sixteen_equals_the_sixteen_singles() throws Exception {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            inputs.add("input " + i + " " + "lorem ipsum ".repeat(i));
        }
        JsonNode batch = embed(inputs, "");
        assertThat(batch.get("data")).hasSize(16);
        for (int i = 0; i < 16; i++) {
            assertThat(batch.get("data").get(i).get("index").asInt()).isEqualTo(i);
            float[] b = vector(batch.get("data").get(i));
            float[] single = vector(embed(inputs.get(i), "").get("data").get(0));
            for (int d = 0; d < b.length; d++) {
                assertThat(b[d]).as("input %d, dimension %d", i, d).isCloseTo(single[d], Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void dimensions_truncates_and_normalises_again_and_base64_carries_the_same_floats() throws Exception {
        float[] full = vector(embed("matryoshka", "").get("data").get(0));
        float[] short16 = vector(embed("matryoshka", ", \"dimensions\": 16").get("data").get(0));
        assertThat(short16).hasSize(16);
        assertThat(norm(short16)).isCloseTo(1.0, Offset.offset(1e-5));
        double n = 0;
        for (int i = 0; i < 16; i++) {
            n += full[i] * full[i];
        }
        for (int i = 0; i < 16; i++) {
            assertThat(short16[i]).isCloseTo((float) (full[i] / Math.sqrt(n)), Offset.offset(1e-5f));
        }
        float[] b64 = vector(embed("matryoshka", ", \"encoding_format\": \"base64\"").get("data").get(0));
        assertThat(b64).containsExactly(full);
    }

    @Test
    void token_arrays_embed_like_their_text() throws Exception {
        ArrayNode tokens = Json.MAPPER.createArrayNode();
        for (int t : new int[] {1, 'h' + 3, 'i' + 3}) {
            tokens.add(t);
        }
        JsonNode out = embed(tokens, "");
        assertThat(vector(out.get("data").get(0))).hasSize(64);
        assertThat(out.get("usage").get("prompt_tokens").asInt()).isEqualTo(3);
        HttpResponse<String> bad = daemon.post("/v1/embeddings", "{\"model\": \"embedder\", \"input\": [[1, 99999]]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("not in the model's vocabulary");
    }

    @Test
    void reranking_returns_every_index_once_sorted_keeping_duplicates_apart() throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", "reranker").put("query", "what is a cat");
        body.putArray("documents").add("a cat is an animal").add("stock prices fell").add("a cat is an animal")
                .addObject().put("text", "cats purr");
        for (String route : new String[] {"/v1/rerank", "/rerank"}) {
            JsonNode out = ok(daemon.post(route, body));
            JsonNode results = out.get("results");
            assertThat(results).hasSize(4);
            List<Integer> indexes = new ArrayList<>();
            double last = Double.POSITIVE_INFINITY;
            for (JsonNode r : results) {
                indexes.add(r.get("index").asInt());
                assertThat(r.get("relevance_score").asDouble()).isLessThanOrEqualTo(last);
                last = r.get("relevance_score").asDouble();
                assertThat(r.get("document").get("text").asText()).isNotEmpty();
            }
            assertThat(indexes).containsExactlyInAnyOrder(0, 1, 2, 3);
            double first = results.findValues("index").stream().filter(i -> i.asInt() == 0).count();
            assertThat(first).isEqualTo(1);
            // to the last bits a kernel's order moves with the position in the batch (the CPU backend built here)
            assertThat(score(results, 0)).as("identical documents, identical scores")
                    .isCloseTo(score(results, 2), org.assertj.core.data.Offset.offset(1e-6));
        }
        JsonNode top = ok(daemon.post("/v1/rerank", body.put("top_n", 2).put("return_documents", false)));
        assertThat(top.get("results")).hasSize(2);
        assertThat(top.get("results").get(0).has("document")).isFalse();
        assertThat(top.get("usage").get("total_tokens").asInt()).isPositive();
    }

    private static double score(JsonNode results, int index) {
        for (JsonNode r : results) {
            if (r.get("index").asInt() == index) {
                return r.get("relevance_score").asDouble();
            }
        }
        throw new AssertionError("no result for index " + index);
    }

    @Test
    void each_role_refuses_what_it_cannot_do_with_a_clear_400() throws Exception {
        HttpResponse<String> chatEmbeds = daemon.post("/v1/embeddings", "{\"model\": \"chatter\", \"input\": \"x\"}");
        assertThat(chatEmbeds.statusCode()).isEqualTo(400);
        assertThat(chatEmbeds.body()).contains("is a generator").contains("embeddings");
        HttpResponse<String> rerankerChats = daemon.post("/v1/chat/completions",
                "{\"model\": \"reranker\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(rerankerChats.statusCode()).isEqualTo(400);
        assertThat(rerankerChats.body()).contains("is a reranker");
        HttpResponse<String> embedderRanks = daemon.post("/v1/rerank",
                "{\"model\": \"embedder\", \"query\": \"q\", \"documents\": [\"d\"]}");
        assertThat(embedderRanks.statusCode()).isEqualTo(400);
        assertThat(embedderRanks.body()).contains("is an embedder");
        HttpResponse<String> chatRanks = daemon.post("/v1/rerank",
                "{\"model\": \"chatter\", \"query\": \"q\", \"documents\": [\"d\"]}");
        assertThat(chatRanks.statusCode()).isEqualTo(400);
    }

    @Test
    void roles_show_in_the_pieces_model_and_the_openai_list() throws Exception {
        assertThat(ok(daemon.get("/model/embedder")).get("role").asText()).isEqualTo("embedder");
        assertThat(ok(daemon.get("/model/embedder")).get("usage").asText()).isEqualTo("TEXT_EMBEDDING");
        assertThat(ok(daemon.get("/model/reranker")).get("role").asText()).isEqualTo("reranker");
        assertThat(ok(daemon.get("/model/chatter")).get("role").asText()).isEqualTo("generator");
        JsonNode listed = ok(daemon.get("/v1/models")).get("data");
        assertThat(listed.findValuesAsText("role")).contains("embedder", "reranker", "generator");
    }

    @Test
    void the_input_cap_is_the_same_on_openais_and_ollamas_routes_and_on_reranking() {
        String many = Json.MAPPER.valueToTree(java.util.Collections.nCopies(io.modeld.inference.Inference.MAX_INPUTS + 1, "x")).toString();
        HttpResponse<String> openai = daemon.post("/v1/embeddings", "{\"model\": \"embedder\", \"input\": " + many + "}");
        HttpResponse<String> ollama = daemon.post("/api/embed", "{\"model\": \"embedder\", \"input\": " + many + "}");
        for (HttpResponse<String> r : List.of(openai, ollama)) {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("at most " + io.modeld.inference.Inference.MAX_INPUTS);
        }
        for (String route : List.of("/v1/rerank", "/rerank")) {
            HttpResponse<String> rerank = daemon.post(route,
                    "{\"model\": \"reranker\", \"query\": \"q\", \"documents\": " + many + "}");
            assertThat(rerank.statusCode()).as(route).isEqualTo(400);
            assertThat(rerank.body()).as(route).contains("at most " + io.modeld.inference.Inference.MAX_INPUTS);
        }
        assertThat(ok(daemon.get("/memory")).get("loaded")).isEmpty();
    }
}
