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
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }
}
