package io.modeld.cli;

import io.modeld.config.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code modeld}: the top command; each subcommand is a class of its own. */
@Command(name = "modeld", mixinStandardHelpOptions = true, versionProvider = ModeldCommand.Version.class,
        description = "A local model daemon that speaks the Pieces OS Model API.",
        subcommands = {ServeCommand.class, LsCommand.class, ShowCommand.class, PullCommand.class, CancelCommand.class,
                LoadCommand.class, UnloadCommand.class, PsCommand.class, RmCommand.class, ImportCommand.class,
                RunCommand.class, EmbedCommand.class, PushCommand.class, OutdatedCommand.class, BandwidthCommand.class,
                ConfigCommand.class, LaunchCommand.class, RemoteCommand.class,
                EngineCommand.class, RunnerCommand.class, CommandLine.HelpCommand.class})
public final class ModeldCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command line with modeld's exit codes and one-line errors. */
    public static CommandLine commandLine() {
        return withErrors(new CommandLine(new ModeldCommand()));
    }

    private static CommandLine withErrors(CommandLine cl) {
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("modeld: " + e.getMessage());
            return e instanceof CliException c ? c.exitCode() : ExitCodes.FAILURE;
        });
        return cl;
    }

    /**
     * Runs {@code args}. The daemon and its runners skip building every other command's model: picocli
     * reads each subcommand's annotations, half a second of a daemon's start on two slow cores, and a
     * runner starts for every load.
     */
    public static int execute(String[] args) {
        String[] rest = args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length);
        if (args.length > 0 && args[0].equals("runner")) {
            return withErrors(new CommandLine(new RunnerCommand()).setCommandName("modeld runner")).execute(rest);
        }
        if (args.length > 0 && args[0].equals("serve")) {
            return withErrors(new CommandLine(new ServeCommand()).setCommandName("modeld serve")).execute(rest);
        }
        return commandLine().execute(args);
    }

    /** Whether the command leaves threads that keep serving after it returns ({@code serve}). */
    public static boolean keepsRunning(String[] args) {
        return args.length > 0 && args[0].equals("serve");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"modeld " + BuildInfo.version()};
        }
    }
}
