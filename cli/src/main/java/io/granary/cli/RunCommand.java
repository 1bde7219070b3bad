package io.granary.cli;

import io.granary.client.StorageClient;
import io.granary.runner.RunLog;
import io.granary.runner.RunRequest;
import io.granary.runner.RunResult;
import io.granary.runner.Runner;
import io.granary.runner.StagingModes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code granary run --config config.json [...] -- python3 my_component.py}: a component by the common interface. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a component by Keboola's common interface: input mapping into a data folder, the command"
            + " (with KBC_DATADIR etc.), then output mapping and state.",
            "Exit code: 0 success, 1 user error, 2 application error."})
final class RunCommand implements Callable<Integer> {

    @Mixin
    Connection connection;

    @Option(names = "--config", required = true, description = "config.json of the component.")
    Path config;

    @Option(names = "--component-id", defaultValue = "granary.local-component",
            description = "Component id (KBC_COMPONENTID), default ${DEFAULT-VALUE}.")
    String componentId;

    @Option(names = "--config-id", description = "Configuration id (KBC_CONFIGID); state is stored only with one.")
    String configId;

    @Option(names = "--data-dir", description = "Data folder (default: a new temp dir).")
    Path dataDir;

    @Option(names = "--timeout", description = "Seconds before the component is killed (default: none).")
    Long timeoutSeconds;

    @Option(names = "--forward-token", description = "Pass KBC_URL and KBC_TOKEN to the component.")
    boolean forwardToken;

    @Option(names = "--default-bucket", description = "Bare output table names go to in.c-<component>-<config>.")
    boolean defaultBucket;

    @Option(names = "--staging-input", defaultValue = "local", paramLabel = "MODE",
            description = {"How input tables reach the component: local (CSV files in in/tables, the default), s3"
                + " (manifests with an s3 section: read the gzipped export with its credentials; AWS_ENDPOINT_URL_S3"
                + " names the store), workspace (tables loaded into a workspace of the server's backend, its connection"
                + " in config.json's authorization.workspace; needs --staging-output workspace)."})
    String stagingInput;

    @Option(names = "--staging-output", defaultValue = "local", paramLabel = "MODE",
            description = {"Where the component leaves its output tables: local (out/tables, the default), workspace"
                + " (tables of the run's workspace, named by the output mapping and out/tables/<name>.manifest files;"
                + " needs --staging-input workspace)."})
    String stagingOutput;

    @Option(names = "--workspace-id", paramLabel = "ID",
            description = "With workspace staging: use this existing workspace and keep it (its password, if it has"
                + " one, is reset for the component; else one is created for the run and deleted at its end).")
    String workspaceId;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The component command, after --.")
    List<String> command;

    @Override
    public Integer call() {
        try (StorageClient client = connection.client()) {
            RunLog log = connection.quiet ? (level, message) -> {
                if (level != RunLog.Level.INFO) {
                    System.err.println(message);
                }
            } : RunLog.CONSOLE;
            RunRequest request = RunRequest.of(config, componentId, configId, dataDir, command,
                    timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds))
                    .withForwardToken(forwardToken).withDefaultBucket(defaultBucket, "in")
                    .withStaging(new StagingModes(stagingInput, stagingOutput, workspaceId));
            RunResult result = new Runner(client, log).run(request);
            System.err.println(result.summary() + (result.dataDir() == null ? "" : " Data folder: " + result.dataDir()));
            return result.exitCode();
        }
    }
}
