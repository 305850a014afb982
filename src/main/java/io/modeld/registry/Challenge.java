package io.modeld.registry;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry's {@code WWW-Authenticate} answer: {@code Bearer realm="...",service="...",scope="..."} (get
 * a token from the realm) or {@code Basic realm="..."} (send the user and password).
 */
record Challenge(String scheme, Map<String, String> params) {

    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)=(?:\"([^\"]*)\"|([^,\\s]*))");

    /** The challenge in the header, or null when there is none or it is of a scheme we do not speak. */
    static Challenge parse(String header) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        int space = h.indexOf(' ');
        String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
        if (!scheme.equals("bearer") && !scheme.equals("basic")) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        if (space > 0) {
            Matcher m = PARAM.matcher(h.substring(space + 1));
            while (m.find()) {
                params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
            }
        }
        return new Challenge(scheme, Map.copyOf(params));
    }

    boolean bearer() {
        return scheme.equals("bearer");
    }

    String realm() {
        return params.get("realm");
    }
}
