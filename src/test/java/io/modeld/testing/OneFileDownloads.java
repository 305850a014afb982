package io.modeld.testing;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fixture of the download tests: a 6 MiB file on a local file server and a daemon (2 downloads,
 * 4 connections, 1 s stall timeout) on a fresh data dir, both new for every test.
 */
public abstract class OneFileDownloads {

    protected static final int SIZE = 6 << 20;

    @RegisterExtension
    protected final TestDaemon daemon = TestDaemon.perTest(c -> c.withDownloads(2, 4, true, Duration.ofSeconds(1)));
    protected FileServer files;
    protected byte[] data;

    @BeforeEach
    void startFileServer() throws Exception {
        data = FileServer.content(SIZE, 42);
        files = FileServer.start().serve("/model.gguf", data);
    }

    @AfterEach
    void stopFileServer() {
        files.close();
    }

    /** A custom model of that file, with its size and SHA-256. */
    protected String createModel(String unique) {
        return Downloading.createModel(daemon, unique, files.uri("/model.gguf").toString(), FileServer.sha256(data), SIZE);
    }

    /** Where the finished file of model {@code id} is. */
    protected Path finalFile(String id) {
        return daemon.dataDir().resolve("models").resolve(id).resolve("model.gguf");
    }
}
