package io.modeld.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where modeld may fetch from (sources, registries, their redirects): anywhere but link-local addresses
 * ({@code 169.254.0.0/16}, {@code fe80::/10}), where cloud machines answer with their metadata and credentials
 * (169.254.169.254): a source a client names must not make the daemon fetch those and keep or show them. A
 * host is checked as it resolves before each connection; a name that resolves to such an address is refused
 * like the address itself.
 */
public final class OutboundHosts {

    /** How a name becomes addresses (the system's resolver; a fake one in tests). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The system's resolver. */
    public static final Resolver SYSTEM = InetAddress::getAllByName;

    private OutboundHosts() {
    }

    /**
     * Why modeld will not connect to {@code host}, or null when it may; a host that does not resolve is left to
     * the connection to fail, in the words every other unreachable host gets.
     */
    public static String refusal(String host, Resolver resolver) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all;
        try {
            all = resolver.resolve(h);
        } catch (UnknownHostException e) {
            return null;
        }
        for (InetAddress a : all) {
            if (linkLocal(a)) {
                return host + " is a link-local address (" + a.getHostAddress() + "), where a cloud machine keeps its "
                        + "metadata and credentials; modeld does not fetch from there";
            }
        }
        return null;
    }

    /** The same with the system's resolver. */
    public static String refusal(String host) {
        return refusal(host, SYSTEM);
    }

    static boolean linkLocal(InetAddress a) {
        if (a.isLinkLocalAddress()) {
            return true;
        }
        // an IPv4 address inside IPv6 (::ffff:169.254.x.x) is link-local too
        if (a instanceof Inet6Address six) {
            byte[] b = six.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            return mapped && b[12] == (byte) 169 && b[13] == (byte) 254;
        }
        return false;
    }
}
