package io.modeld.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The refusal of link-local hosts, below the network: names resolve through a table of the test's, literal
 * addresses parse without a lookup, and nothing is sent anywhere.
 */
class OutboundHostsTest {

    private static final Map<String, String> DNS = Map.of("metadata.internal", "169.254.169.254",
            "v6.internal", "fe80::1", "mapped.internal", "::ffff:169.254.1.1", "models.example", "127.0.0.1");

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String a = DNS.get(host);
        if (a == null && !host.matches("[0-9.:a-fA-F]+")) {
            throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName(a != null ? a : host)};
    }

    @Test
    void link_local_addresses_and_names_that_resolve_to_them_are_refused() {
        for (String host : new String[] {"169.254.169.254", "metadata.internal", "[fe80::1]", "v6.internal",
                "mapped.internal"}) {
            assertThat(OutboundHosts.refusal(host, OutboundHostsTest::resolve)).as(host)
                    .contains(host).contains("link-local").contains("does not fetch from there");
        }
    }

    @Test
    void other_hosts_and_names_that_do_not_resolve_are_left_to_the_connection() {
        for (String host : new String[] {"127.0.0.1", "models.example", "10.0.0.5", "[::1]", "nowhere.invalid"}) {
            assertThat(OutboundHosts.refusal(host, OutboundHostsTest::resolve)).as(host).isNull();
        }
    }
}
