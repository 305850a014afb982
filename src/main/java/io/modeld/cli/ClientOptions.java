package io.modeld.cli;

import picocli.CommandLine.Option;

/** Options every client command shares: where the daemon is and whether to print JSON. */
final class ClientOptions {

    @Option(names = "--url", description = "The daemon's URL (else MODELD_URL, else localhost:39300, then :1000).")
    String url;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--api-key", defaultValue = "${env:MODELD_API_KEY}",
            description = "The daemon's API key, when it has one (else MODELD_API_KEY).")
    String apiKey;

    private DaemonClient client;

    DaemonClient client() {
        if (client == null) {
            client = DaemonClient.find(url, apiKey);
        }
        return client;
    }
}
