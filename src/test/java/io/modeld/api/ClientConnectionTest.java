package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The kernel's word on whether a client is still connected, on a real loopback connection. */
class ClientConnectionTest {

    @Test
    void a_connection_is_seen_established_then_closed_once_the_client_closes_its_end() throws Exception {
        Assumptions.assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/net/tcp")), "Linux only");
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
            try (Socket accepted = server.accept()) {
                int local = accepted.getLocalPort();
                int remote = accepted.getPort();
                assertThat(ClientConnection.closed(local, remote, System.currentTimeMillis())).isFalse();
                client.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> ClientConnection.closed(local, remote,
                        System.currentTimeMillis()));
            }
        }
    }
}
