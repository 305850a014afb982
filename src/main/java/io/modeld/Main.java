package io.modeld;

import io.modeld.cli.ModeldCommand;

/** Entry point of the jar: {@code modeld <command>}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = ModeldCommand.execute(args);
        if (code != 0 || !ModeldCommand.keepsRunning(args)) {
            System.exit(code);
        }
    }
}
