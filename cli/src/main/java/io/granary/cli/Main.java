package io.granary.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code granary} command. */
@Command(name = "granary", mixinStandardHelpOptions = true, version = "granary 0.1.0",
        description = "Granary: a self-hostable data platform speaking the Keboola Storage API.",
        subcommands = {ServerCommand.class, S3Command.class, BucketCommand.class, TableCommand.class, FileCommand.class, JobCommand.class, WorkspaceCommand.class,
            RunCommand.class, TrinoCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Granary's exit codes: 0 ok, 1 failed job or API error, 2 bad usage. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        ServerCommand.addStoreOptions(cli.getSubcommands().get("server").getCommandSpec());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof Connection.UsageException) {
                System.err.println("granary: " + e.getMessage());
                return 2;
            }
            System.err.println("granary: " + describe(e));
            if (System.getenv("GRANARY_DEBUG") != null) {
                e.printStackTrace();
            }
            return 1;
        });
        return cli;
    }

    /** The message a user can act on: the exception's own, with its root cause when that says more. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += ": " + root.getMessage();
        }
        return message;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }
}
