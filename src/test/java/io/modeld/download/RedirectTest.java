package io.modeld.download;

import static io.modeld.testing.Downloading.awaitTerminal;
import static io.modeld.testing.Downloading.createModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.config.Config;
import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hf:// sources against a stand-in for Hugging Face: the hub (127.0.0.1) redirects to a CDN on another
 * host (127.0.0.2) and names the file's SHA-256 in X-Linked-Etag, as Hugging Face does.
 */
class RedirectTest {

    @TempDir
    Path dataDir;

    private String download(FileServer hub, byte[] cdnData, byte[] realData, boolean corrupt, ProgressResult out)
            throws Exception {
        try (FileServer cdn = FileServer.startOn("127.0.0.2").serve("/cdn/m.gguf", cdnData)) {
            if (corrupt) {
                cdn.corruptAt(100);
            }
            hub.redirect("/owner/repo/resolve/main/m.gguf", cdn.uri("/cdn/m.gguf").toString(),
                    FileServer.sha256(realData));
            Config config = Config.forDataDir(dataDir).withHuggingFace(hub.uri("").toString(), "secret-token");
            try (TestDaemon daemon = TestDaemon.start(config)) {
                String id = createModel(daemon, "from-hub", "hf://owner/repo/m.gguf", null, null);
                try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
                    daemon.post("/model/" + id + "/download", "");
                    out.model = awaitTerminal(daemon, id, frames);
                    out.last = frames.last();
                }
                out.cdnAuthorizations = cdn.requests().stream().filter(r -> r.authorization() != null).count();
                out.cdnRequests = cdn.requests().size();
                return id;
            }
        }
    }

    private static final class ProgressResult {
        JsonNode model;
        JsonNode last;
        long cdnAuthorizations;
        long cdnRequests;
    }

    @Test
    void follows_the_redirect_without_carrying_the_token_to_the_cdn() throws Exception {
        byte[] data = FileServer.content(3 << 20, 11);
        try (FileServer hub = FileServer.start()) {
            ProgressResult r = new ProgressResult();
            download(hub, data, data, false, r);
            assertThat(r.last.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(r.model.get("downloaded").asBoolean()).isTrue();
            assertThat(hub.requests()).isNotEmpty()
                    .allSatisfy(req -> assertThat(req.authorization()).isEqualTo("Bearer secret-token"))
                    .allSatisfy(req -> assertThat(req.path()).isEqualTo("/owner/repo/resolve/main/m.gguf"));
            assertThat(r.cdnRequests).isPositive();
            assertThat(r.cdnAuthorizations).as("Authorization headers seen by the other host").isZero();
        }
    }

    @Test
    void checks_the_file_against_the_digest_the_hub_names() throws Exception {
        byte[] data = FileServer.content(3 << 20, 12);
        try (FileServer hub = FileServer.start()) {
            ProgressResult r = new ProgressResult();
            download(hub, data, data, true, r);
            assertThat(r.last.get("status").asText()).isEqualTo("FAILED");
            assertThat(r.last.get("error").asText()).contains("expected " + FileServer.sha256(data));
            assertThat(r.model.get("downloaded").asBoolean()).isFalse();
        }
    }
}
