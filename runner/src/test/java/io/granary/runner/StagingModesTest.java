package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.client.StorageClient;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which staging combinations run (spec 4.4, workspaces.md "Runner staging modes"), checked before anything starts. */
class StagingModesTest {

    @TempDir
    Path tmp;

    @Test
    void theCombinationsThatRun() {
        for (StagingModes ok : List.of(StagingModes.LOCAL, new StagingModes("s3", "local", null),
                new StagingModes(null, " ", null))) {
            assertThatCode(ok::check).as(ok.toString()).doesNotThrowAnyException();
        }
        assertThat(new StagingModes(null, "", "").workspaceId()).isNull();
        assertThat(new StagingModes("workspace", "workspace", null).workspace()).isTrue();
        assertThat(new StagingModes("s3", "local", null).workspace()).isFalse();
    }

    @Test
    void aWorkspaceOnOneSideOnlyIsTheReferencesMismatch() {
        for (String[] pair : new String[][] {{"workspace", "local"}, {"local", "workspace"}, {"s3", "workspace"}}) {
            assertThatThrownBy(() -> new StagingModes(pair[0], pair[1], null).check())
                    .isInstanceOf(ApplicationException.class)
                    .hasMessage("Component staging setting mismatch - input: \"" + pair[0] + "\", output: \"" + pair[1]
                            + "\".");
        }
    }

    @Test
    void workspaceStagingRunsWithOrWithoutAGivenWorkspace() {
        for (StagingModes workspace : List.of(new StagingModes("workspace", "workspace", null),
                new StagingModes("workspace", "workspace", "42"))) {
            assertThatCode(workspace::check).as(workspace.toString()).doesNotThrowAnyException();
        }
    }

    @Test
    void unknownModesAndAWorkspaceIdWithoutAWorkspaceAreUserErrors() {
        assertThatThrownBy(() -> new StagingModes("abs", "local", null).check()).isInstanceOf(UserException.class)
                .hasMessage("Unknown input staging \"abs\". Use one of: local, s3, workspace.");
        assertThatThrownBy(() -> new StagingModes("local", "s3", null).check()).isInstanceOf(UserException.class)
                .hasMessage("Unknown output staging \"s3\". Use one of: local, workspace.");
        assertThatThrownBy(() -> new StagingModes("s3", "local", "7").check()).isInstanceOf(UserException.class)
                .hasMessage("Workspace \"7\" can only be used with workspace staging (input and output \"workspace\").");
    }

    @Test
    void theRunStopsBeforeItTouchesStorageOrTheDataFolder() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // nothing listens once closed: any Storage call would fail differently
        }
        Path config = Files.writeString(tmp.resolve("config.json"), "{}");
        Path data = tmp.resolve("data");
        List<String> log = new ArrayList<>();
        try (StorageClient client = StorageClient.builder("http://127.0.0.1:" + deadPort, "t").maxAttempts(1).build()) {
            RunResult r = new Runner(client, (level, m) -> log.add(level + " " + m)).run(new RunRequest(config, "c", null,
                    data, List.of("true"), Duration.ofSeconds(5), null, false, false, "in",
                    new StagingModes("workspace", "local", null)));
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.message()).isEqualTo("Component staging setting mismatch - input: \"workspace\", output: \"local\".");
            assertThat(log).containsExactly(
                    "ERROR Application error: Component staging setting mismatch - input: \"workspace\", output: \"local\".");
            r = new Runner(client, (level, m) -> log.add(level + " " + m)).run(new RunRequest(config, "c", null, data,
                    List.of("true"), Duration.ofSeconds(5), null, false, false, "in", new StagingModes("x", "local", null)));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.message()).isEqualTo("Unknown input staging \"x\". Use one of: local, s3, workspace.");
        }
        assertThat(data).doesNotExist();
    }
}
