package io.modeld.cli;

import static io.modeld.testing.Catalogs.BUILT_IN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.FileServer;
import io.modeld.testing.TestDaemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every CLI command against a real daemon: exit codes and output. */
class CliTest {

    @TempDir
    Path files;
    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();

    /** What a command printed and returned. */
    record Run(int code, String out, String err) {
    }

    private Run modeld(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = "http://127.0.0.1:" + daemon.port();
        return raw(all);
    }

    private static Run raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = ModeldCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String importTiny(String name) throws Exception {
        Path file = files.resolve(name + ".gguf");
        TinyLlama.TINY.write(file, name.hashCode());
        Run r = modeld("import", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(name + ": downloaded and verified");
        return name;
    }

    @Test
    void ls_lists_every_model_as_a_table_or_json() throws Exception {
        Run table = modeld("ls");
        assertThat(table.code()).isZero();
        assertThat(table.out().lines().toList()).hasSize(BUILT_IN + 1);
        assertThat(table.out().lines().findFirst().orElseThrow()).contains("NAME").contains("ROLE").contains("SIZE")
                .contains("STATE")
                .contains("RAM");
        assertThat(table.out()).contains("tinyllama-1.1b-chat-v1.0-q4_k_m").contains("668.8 MB").contains("available");
        assertThat(table.out().lines().filter(l -> l.startsWith("nomic-embed-text-v1.5-f16 ")).findFirst().orElseThrow())
                .contains("embedder");
        Run json = modeld("ls", "--json");
        assertThat(Json.MAPPER.readTree(json.out()).get("iterable")).hasSize(BUILT_IN);
    }

    @Test
    void show_completes_a_unique_prefix_and_refuses_an_ambiguous_one() {
        Run show = modeld("show", "tinyllama");
        assertThat(show.code()).isZero();
        assertThat(show.out()).contains("TinyLlama 1.1B Chat v1.0").contains("Q4_K_M").contains("2048");
        Run ambiguous = modeld("show", "llama-3.2");
        assertThat(ambiguous.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(ambiguous.err().strip()).startsWith("modeld: 'llama-3.2' could be")
                .contains("llama-3.2-1b-instruct-q4_k_m").doesNotContain("\n");
        Run unknown = modeld("show", "nothing-like-this");
        assertThat(unknown.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(unknown.err()).contains("no model 'nothing-like-this'");
    }

    @Test
    void says_clearly_when_no_daemon_answers() {
        Run r = raw("ls", "--url", "http://127.0.0.1:9");
        assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.err().strip()).isEqualTo("modeld: no modeld answers at http://127.0.0.1:9; start one with "
                + "./modeld serve, or say where with --url or MODELD_URL");
    }

    @Test
    void pull_downloads_with_a_verified_result_and_reports_failures() throws Exception {
        byte[] data = FileServer.content(2 << 20, 3);
        try (FileServer server = FileServer.start().serve("/good.gguf", data).serve("/bad.gguf", data)) {
            daemon.post("/models/create", "{\"name\": \"good\", \"unique\": \"good\", \"source\": {\"url\": \""
                    + server.uri("/good.gguf") + "\", \"sha256\": \"" + FileServer.sha256(data) + "\"}}");
            daemon.post("/models/create", "{\"name\": \"bad\", \"unique\": \"bad\", \"source\": {\"url\": \""
                    + server.uri("/bad.gguf") + "\", \"sha256\": \"" + "0".repeat(64) + "\"}}");
            Run good = modeld("pull", "good");
            assertThat(good.code()).as(good.err()).isZero();
            assertThat(good.out()).contains("good: downloaded and verified");
            assertThat(modeld("pull", "good").out()).contains("good: already downloaded");
            Run bad = modeld("pull", "bad");
            assertThat(bad.code()).isEqualTo(ExitCodes.FAILURE);
            assertThat(bad.err()).contains("bad: failed: SHA-256 mismatch");
        }
        Run cancel = modeld("cancel", "good");
        assertThat(cancel.code()).isZero();
        assertThat(cancel.out()).contains("good: was not downloading");
    }

    @Test
    void import_link_uses_the_file_in_place_and_rm_keeps_it() throws Exception {
        Path file = files.resolve("linked.gguf");
        TinyLlama.TINY.write(file, 7);
        long size = Files.size(file);
        Run r = modeld("import", "--link", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("linked: uses " + file.toAbsolutePath() + " in place");
        JsonNode shown = Json.MAPPER.readTree(modeld("show", "linked", "--json").out());
        assertThat(shown.get("downloaded").asBoolean()).isTrue();
        assertThat(shown.get("library").get("files").get(0).asText()).isEqualTo(file.toAbsolutePath().toString());
        try (var models = Files.list(daemon.dataDir().resolve("models"))) {
            assertThat(models.toList()).isEmpty();
        }
        Run rm = modeld("rm", "linked");
        assertThat(rm.code()).isNotZero();
        assertThat(rm.err()).contains("never deletes it");
        assertThat(Files.size(file)).isEqualTo(size);
    }

    @Test
    void import_load_ps_run_and_unload_a_local_model() throws Exception {
        importTiny("clitiny");
        Run load = modeld("load", "clitiny");
        assertThat(load.code()).as(load.err()).isZero();
        assertThat(load.out()).startsWith("clitiny: loaded");
        Run ps = modeld("ps");
        assertThat(ps.out()).contains("clitiny").containsPattern("memory: .* used of a .* budget")
                .contains("CONTEXT").containsPattern("clitiny .* \\d+  f16");
        // A model of random weights may well answer with nothing printable; the chat must still complete.
        Run run = modeld("run", "clitiny", "Hello", "--max-tokens", "4");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).endsWith(System.lineSeparator());
        Run unload = modeld("unload", "clitiny");
        assertThat(unload.out()).contains("clitiny: unloaded");
        assertThat(Json.MAPPER.readTree(modeld("ps", "--json").out()).get("loaded")).isEmpty();
        assertThat(modeld("unload", "--all").out()).contains("all models unloaded");
        JsonNode shown = Json.MAPPER.readTree(modeld("show", "clitiny", "--json").out());
        assertThat(shown.get("downloaded").asBoolean()).isTrue();
        assertThat(shown.get("loaded").asBoolean()).isFalse();
    }

    @Test
    void rm_removes_files_and_purge_removes_custom_models_only() throws Exception {
        importTiny("removable");
        Run rm = modeld("rm", "removable");
        assertThat(rm.out()).contains("removable: files removed");
        assertThat(modeld("show", "removable").out()).contains("available");
        Run purge = modeld("rm", "removable", "--purge");
        assertThat(purge.out()).contains("removable: deleted");
        assertThat(modeld("show", "removable").code()).isEqualTo(ExitCodes.NOT_FOUND);
        Run catalog = modeld("rm", "gemma-2", "--purge");
        assertThat(catalog.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(catalog.err()).contains("part of the catalog");
    }

    @Test
    void load_of_a_model_that_is_not_downloaded_is_refused_in_one_line() {
        Run r = modeld("load", "gemma-2");
        assertThat(r.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(r.err().strip()).startsWith("modeld: model 'Gemma 2 2B it' is not downloaded").doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void embed_prints_one_vector_per_text() throws Exception {
        java.nio.file.Path file = files.resolve("embedder.gguf");
        io.modeld.gguf.TinyModels.bertEmbedder(file, 1);
        io.modeld.testing.Downloading.downloaded(daemon, file, "tiny-embedder");
        Run r = modeld("embed", "tiny-embedder", "first text", "second text");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            JsonNode v = Json.MAPPER.readTree(line);
            assertThat(v.isArray()).isTrue();
            assertThat(v).hasSize(64);
        }
        assertThat(lines.get(0)).isNotEqualTo(lines.get(1));
        Run short8 = modeld("embed", "tiny-embedder", "x", "--dimensions", "8");
        assertThat(Json.MAPPER.readTree(short8.out().strip())).hasSize(8);
        Run chat = modeld("embed", importTiny("chatty"), "x");
        assertThat(chat.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(chat.err()).contains("is a generator");
    }
}
