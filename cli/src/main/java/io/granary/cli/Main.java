package io.granary.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code granary} command. */
@Command(name = "granary", mixinStandardHelpOptions = true, version = "granary 0.1.0",
        description = "Granary: a self-hostable data platform speaking the Keboola Storage API.",
        subcommands = {ServerCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            System.err.println("granary: " + describe(e));
            if (System.getenv("GRANARY_DEBUG") != null) {
                e.printStackTrace();
            }
            return 1;
        });
        System.exit(cli.execute(args));
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
