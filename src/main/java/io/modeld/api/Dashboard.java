package io.modeld.api;

import io.javalin.http.Context;

/** The dashboard's page at {@code /}: for browsers, which ask for HTML; other clients get the Ollama answer. */
final class Dashboard {

    private Dashboard() {
    }

    /** Whether the request comes from a browser navigating to the page. */
    static boolean wantsPage(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("text/html");
    }
}
