package io.granary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.StorageClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code granary job …}. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Inspect and wait for jobs.",
        subcommands = {JobCommand.Wait.class, JobCommand.Detail.class})
final class JobCommand {

    private JobCommand() {
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = "Wait until a job finishes; exit 1 when it failed (its message on stderr).")
    static final class Wait implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Job id.")
        long jobId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                JsonNode job = client.waitForJob(jobId);
                Output.print(connection, job, "job " + jobId + ": " + job.path("status").asText());
            }
        }
    }

    @Command(name = "detail", mixinStandardHelpOptions = true, description = "Show a job.")
    static final class Detail implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Job id.")
        long jobId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                JsonNode job = client.getJob(jobId);
                Output.print(connection, job, job.toPrettyString());
            }
        }
    }
}
