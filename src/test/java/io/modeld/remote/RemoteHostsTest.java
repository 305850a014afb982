package io.modeld.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modeld.ModeldException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allow-list and the keys, below the network: what a server's URL becomes, which hosts may be contacted (a host
 * named alone on any port, named with a port on that one; a link-local address never, listed or not), and keys kept
 * privately, tried apart from those that work.
 */
class RemoteHostsTest {

    @TempDir
    Path dataDir;

    @Test
    void a_server_url_becomes_its_base_with_the_port_said() {
        assertThat(RemoteHosts.base("http://GPU-Box.lan:11434/", "u")).isEqualTo("http://gpu-box.lan:11434");
        assertThat(RemoteHosts.base("https://api.example.com/v1", "u")).isEqualTo("https://api.example.com:443");
        assertThat(RemoteHosts.base("http://10.0.0.5/proxy/openai/v1/", "u")).isEqualTo("http://10.0.0.5:80/proxy/openai");
        assertThat(RemoteHosts.base("http://[::1]:8080", "u")).isEqualTo("http://[::1]:8080");
        for (String bad : List.of("", "ftp://host/", "gpu-box:11434", "http://user:pw@host/", "http://host/?key=1")) {
            assertThatThrownBy(() -> RemoteHosts.base(bad, "remote_host")).isInstanceOf(ModeldException.class)
                    .hasMessageStartingWith("remote_host:");
        }
    }

    @Test
    void only_listed_hosts_may_be_contacted() {
        RemoteHosts hosts = new RemoteHosts(List.of("gpu-box.lan", "10.0.0.5:11434", "169.254.169.254"), dataDir);
        assertThat(hosts.refusal("http://gpu-box.lan:11434")).isNull();
        assertThat(hosts.refusal("http://gpu-box.lan:8080")).as("a host named alone: any port").isNull();
        assertThat(hosts.refusal("http://10.0.0.5:11434")).isNull();
        assertThat(hosts.refusal("http://10.0.0.5:8080")).as("named with a port: that one only")
                .contains("10.0.0.5:8080 is not on the remotes allow-list");
        assertThat(hosts.refusal("http://10.0.0.6:11434")).contains("--remotes gpu-box.lan,10.0.0.5:11434");
        assertThat(hosts.refusal("http://169.254.169.254:80")).as("listed, and still never").contains("link-local");
        assertThatThrownBy(() -> hosts.check("http://evil.example:80")).isInstanceOf(ModeldException.class)
                .extracting(e -> ((ModeldException) e).kind()).isEqualTo(ModeldException.Kind.FORBIDDEN);
        assertThat(new RemoteHosts(List.of(), dataDir).refusal("http://gpu-box.lan:80"))
                .contains("allow-list (empty)");
    }

    @Test
    void keys_are_kept_privately_by_host_and_port_and_survive_a_restart() throws Exception {
        RemoteHosts hosts = new RemoteHosts(List.of("gpu-box.lan"), dataDir);
        hosts.key("http://gpu-box.lan:11434", "sk-team-1");
        assertThat(hosts.hasKey("http://gpu-box.lan:11434")).isTrue();
        assertThat(hosts.hasKey("http://gpu-box.lan:8080")).as("another port, another server").isFalse();
        Path file = dataDir.resolve(RemoteHosts.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        RemoteHosts again = new RemoteHosts(List.of("gpu-box.lan"), dataDir);
        assertThat(again.key("http://gpu-box.lan:11434")).isEqualTo("sk-team-1");
        assertThatThrownBy(() -> again.key("http://gpu-box.lan:11434", "two words")).isInstanceOf(ModeldException.class);
        assertThatThrownBy(() -> RemoteHosts.checkKey("a\nHost: elsewhere")).as("no header injection")
                .isInstanceOf(ModeldException.class).hasMessageContaining("printable ASCII");
        assertThat(again.key("http://gpu-box.lan:11434")).as("a refused key changes nothing").isEqualTo("sk-team-1");
        again.key("http://gpu-box.lan:11434", null);
        assertThat(new RemoteHosts(List.of(), dataDir).keyed()).isEmpty();
    }

    @Test
    void a_server_that_quotes_the_key_it_refused_does_not_show_it_to_clients() {
        String key = "sk-team-0123456789";
        byte[] openAi = ("{\"error\": {\"message\": \"Incorrect API key provided: " + key + ".\"}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ModeldException refused = RemoteClient.failure("http://gpu-box.lan:80", 401, openAi, "remote model 'x'", key);
        assertThat(refused.getMessage()).contains("Incorrect API key provided: [the key].").doesNotContain(key)
                .contains("refused modeld's key (401)");
        byte[] plain = ("x".repeat(299) + key).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(RemoteClient.said(plain, key)).as("blotted out before it is cut").doesNotContain("sk-team");
        assertThat(RemoteClient.said("{\"error\": \"model 'x' not found\"}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8), null)).isEqualTo("model 'x' not found");
    }
}
