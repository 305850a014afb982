package io.modeld.download;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.LogCapture;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing becomes "downloaded" unless it is a GGUF model: not a secret a local source was swapped for,
 * not the body of any URL, not a file a redirect points at with another scheme.
 */
class WhatIsKeptTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();

    @TempDir
    Path tmp;

    /** A file that is no model, of {@code size} bytes: what a user's secrets look like to modeld. */
    private Path secret(long size) throws Exception {
        byte[] b = new byte[(int) size];
        new Random(3).nextBytes(b);
        Path s = tmp.resolve("secret");
        Files.write(s, b);
        return s;
    }

    private long filesUnder(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void a_local_source_swapped_for_a_link_to_a_secret_is_refused_and_nothing_is_kept() throws Exception {
        Path model = tmp.resolve("model.gguf");
        TinyLlama.TINY.write(model, 1);
        Path secret = secret(Files.size(model));
        String id = ok(daemon.post("/models/create", "{\"name\": \"swapped\", \"source\": {\"url\": \""
                + model.toUri() + "\"}}")).get("id").asText();
        Files.delete(model);
        Files.createSymbolicLink(model, secret);

        Downloading.Pulled pulled = pullExisting(id);

        assertThat(pulled.status()).isEqualTo("FAILED");
        assertThat(pulled.frame().get("error").asText()).contains("not the file this model was created with");
        assertThat(pulled.model().get("downloaded").asBoolean()).isFalse();
        assertThat(filesUnder(daemon.dataDir().resolve("models"))).isZero();
        assertThat(filesUnder(daemon.dataDir().resolve("partial"))).isZero();
    }

    @Test
    void a_local_file_rewritten_in_place_with_its_size_and_time_kept_is_refused_as_no_model() throws Exception {
        Path model = tmp.resolve("model.gguf");
        TinyLlama.TINY.write(model, 1);
        String id = ok(daemon.post("/models/create", "{\"name\": \"rewritten\", \"source\": {\"url\": \""
                + model.toUri() + "\"}}")).get("id").asText();
        FileTime time = Files.getLastModifiedTime(model);
        Files.write(model, Files.readAllBytes(secret(Files.size(model))));
        Files.setLastModifiedTime(model, time);

        Downloading.Pulled pulled = pullExisting(id);

        assertThat(pulled.status()).isEqualTo("FAILED");
        assertThat(pulled.frame().get("error").asText()).contains("is not a GGUF model");
        assertThat(pulled.model().get("downloaded").asBoolean()).isFalse();
        assertThat(filesUnder(daemon.dataDir().resolve("models"))).isZero();
    }

    @Test
    void the_body_of_a_url_that_is_no_model_is_not_kept_and_cannot_be_pushed() throws Exception {
        byte[] body = "root:$6$secret-hash:19000:0:99999:7:::\n".repeat(2000).getBytes();
        try (FileServer files = FileServer.start().serve("/secret", body)) {
            Downloading.Pulled pulled = Downloading.fromSource(daemon, "not a model", files.uri("/secret").toString());

            assertThat(pulled.status()).isEqualTo("FAILED");
            assertThat(pulled.frame().get("error").asText()).contains("is not a GGUF model");
            assertThat(pulled.model().get("downloaded").asBoolean()).isFalse();
            assertThat(filesUnder(daemon.dataDir().resolve("models"))).isZero();
            assertThat(daemon.post("/model/" + pulled.id() + "/push",
                    "{\"target\": \"oci://127.0.0.1:9/team/x:1\"}").statusCode()).isEqualTo(409);
        }
    }

    @Test
    void a_redirect_to_a_file_url_fails_the_download_clearly_and_is_no_bug() throws Exception {
        Path model = tmp.resolve("model.gguf");
        TinyLlama.TINY.write(model, 1);
        try (FileServer files = FileServer.start(); LogCapture log = new LogCapture()) {
            files.redirect("/model.gguf", model.toUri().toString(), null);
            Downloading.Pulled pulled = Downloading.fromSource(daemon, "redirected", files.uri("/model.gguf").toString());

            assertThat(pulled.status()).isEqualTo("FAILED");
            assertThat(pulled.frame().get("error").asText()).contains("redirected the download to a file: URL");
            assertThat(log.lines()).noneMatch(l -> l.contains("bug"));
            assertThat(filesUnder(daemon.dataDir().resolve("models"))).isZero();
        }
    }

    private Downloading.Pulled pullExisting(String id) throws Exception {
        try (var frames = io.modeld.testing.ProgressFrames.open(daemon, id)) {
            ok(daemon.post("/model/" + id + "/download", ""));
            var model = Downloading.awaitTerminal(daemon, id, frames);
            return new Downloading.Pulled(id, frames.last(), model);
        }
    }
}
