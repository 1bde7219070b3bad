package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.client.StorageClient;
import io.granary.server.support.EmbeddedGranary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {

    private static final String TOKEN = EmbeddedGranary.MASTER_TOKEN;

    @RegisterExtension
    static EmbeddedGranary server = new EmbeddedGranary();

    @TempDir
    Path tmp;

    @Test
    void runsAComponentAndReturnsItsExitCode() throws Exception {
        Path config = Files.writeString(tmp.resolve("config.json"), "{\"parameters\": {\"n\": 3}}");
        Path py = Files.writeString(tmp.resolve("c.py"), """
                import os, json, sys
                d = os.environ['KBC_DATADIR']
                n = json.load(open(d + 'config.json'))['parameters']['n']
                open(d + 'out/tables/nums.csv', 'w').write('n\\n' + ''.join('%d\\n' % i for i in range(n)))
                sys.exit(int(os.environ.get('FAIL', '0')))
                """);
        CliRun ok = CliRun.run(null, null, "run", "--storage-api-host=" + server.url(), "--storage-api-token=" + TOKEN,
                "--config", config.toString(), "--component-id", "cli.test", "--config-id", "c1", "--default-bucket",
                "--data-dir", tmp.resolve("data").toString(), "--", "python3", py.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.err()).contains("Success");
        try (StorageClient client = StorageClient.create(server.url(), TOKEN)) {
            assertThat(client.getTable("in.c-cli-test-c1.nums").path("rowsCount").asLong()).isEqualTo(3);
        }
        CliRun missing = CliRun.run(null, null, "run", "--storage-api-host=" + server.url(),
                "--storage-api-token=" + TOKEN, "--config", config.toString(), "--", "sh", "-c", "echo bad >&2; exit 1");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("bad");
    }

    @Test
    void stagingFlagsAreDocumentedAMismatchStopsTheRunFirstAndAWorkspaceRunCleansUp() throws Exception {
        CliRun help = CliRun.run(null, null, "run", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--staging-input=MODE", "--staging-output=MODE",
                "--workspace-id=ID", "s3", "AWS_ENDPOINT_URL_S3", "needs --staging-output workspace",
                "deleted at its end");
        Path config = Files.writeString(tmp.resolve("config.json"), "{}");
        CliRun mismatch = CliRun.run(null, null, "run", "--storage-api-host=" + server.url(),
                "--storage-api-token=" + TOKEN, "--config", config.toString(), "--staging-input", "workspace",
                "--data-dir", tmp.resolve("never").toString(), "--", "true");
        assertThat(mismatch.exitCode()).isEqualTo(2);
        assertThat(mismatch.err()).contains(
                "Component staging setting mismatch - input: \"workspace\", output: \"local\".");
        assertThat(tmp.resolve("never")).doesNotExist();
        Path days = Files.writeString(tmp.resolve("days.json"), "{\"storage\": {\"input\": {\"tables\":"
                + " [{\"source\": \"in.c-x.t\", \"days\": 2}]}}}");
        CliRun refused = CliRun.run(null, null, "run", "--storage-api-host=" + server.url(),
                "--storage-api-token=" + TOKEN, "--config", days.toString(), "--staging-input", "workspace",
                "--staging-output", "workspace", "--", "true");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("Days option is not supported on workspace, use changed_since instead.");
        CliRun workspace = CliRun.run(null, null, "run", "--storage-api-host=" + server.url(),
                "--storage-api-token=" + TOKEN, "--config", config.toString(), "--staging-input", "workspace",
                "--staging-output", "workspace", "--", "sh", "-c", "grep -q '\"workspace\"' \"$KBC_DATADIR/config.json\"");
        assertThat(workspace.exitCode()).as(workspace.err()).isZero();
        assertThat(workspace.out() + workspace.err()).contains("Created workspace ", "Deleted workspace ");
        try (StorageClient client = StorageClient.create(server.url(), TOKEN)) {
            assertThat(client.workspaces().list().size()).isZero();
        }
        assertThat(tmp.resolve("never")).doesNotExist();
    }
}
