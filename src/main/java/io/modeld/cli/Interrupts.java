package io.modeld.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import sun.misc.Signal;

/** What Ctrl-C does while downloads are followed: ask whether to cancel them or leave them running. */
final class Interrupts {

    private Interrupts() {
    }

    static void onCtrlC(DaemonClient client, List<String> ids) {
        if (ids.isEmpty() || System.console() == null) {
            return;
        }
        Signal.handle(new Signal("INT"), signal -> {
            System.err.print(System.lineSeparator() + "Cancel the download" + (ids.size() > 1 ? "s" : "")
                    + "? [y/N] ");
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (java.io.IOException e) {
                answer = null;
            }
            if (answer != null && answer.trim().toLowerCase().startsWith("y")) {
                ids.forEach(id -> client.post("/model/" + id + "/download/cancel", null));
                System.err.println("canceled");
            } else {
                System.err.println("left running in the daemon; follow it again with modeld pull");
            }
            System.exit(130);
        });
    }
}
