package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.testing.TestDaemon;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GracefulShutdownTest {

    @TempDir
    Path dataDir;

    @Test
    void a_request_in_flight_when_shutdown_begins_still_completes_and_is_stored() throws Exception {
        TestDaemon daemon = TestDaemon.start(dataDir);
        String body = "{\"name\": \"In flight\", \"unique\": \"in-flight\"}";
        int half = body.length() / 2;
        try (Socket socket = new Socket("127.0.0.1", daemon.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /models/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                    + body.substring(0, half)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(300); // the request is now being handled, waiting for the rest of its body

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(daemon::close);
            Thread.sleep(300);
            assertThat(stopping).as("shutdown waits for the request in flight").isNotDone();

            out.write(body.substring(half).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").contains("\"unique\":\"in-flight\"");
            stopping.get(15, TimeUnit.SECONDS);
        }
        try (TestDaemon again = TestDaemon.start(dataDir)) {
            assertThat(again.get("/model/in-flight").statusCode()).isEqualTo(200);
        }
    }
}
