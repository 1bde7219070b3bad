package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.client.StorageClient;
import io.granary.server.support.EmbeddedGranary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Workspace staging (spec 5, workspaces.md "Runner staging modes") against a real server. */
class WorkspaceStagingTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();
    static StorageClient client;

    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    RunResult run(String config, List<String> command, StagingModes modes) throws Exception {
        Path cfg = Files.writeString(Files.createTempFile(tmp, "config", ".json"), config);
        return new Runner(client, (level, message) -> log.add(level + " " + message)).run(new RunRequest(cfg, "c.ws",
                null, Files.createTempDirectory(tmp, "data"), command, Duration.ofSeconds(120), null, false, false, "in",
                modes));
    }

    static final StagingModes WORKSPACE = new StagingModes("workspace", "workspace", null);

    @Test
    void daysAndAdaptiveAreRefusedBeforeTheComponent() throws Exception {
        Components.table(client, "ws-src", "days", "id\n1\n", List.of());
        Path marker = tmp.resolve("ran");
        List<String> component = List.of("touch", marker.toString());
        RunResult days = run("""
                {"storage": {"input": {"tables": [{"source": "in.c-ws-src.days", "destination": "d", "days": 3}]}}}
                """, component, WORKSPACE);
        assertThat(days.exitCode()).isEqualTo(1);
        assertThat(days.message()).isEqualTo("Days option is not supported on workspace, use changed_since instead.");
        RunResult adaptive = run("""
                {"storage": {"input": {"tables": [{"source": "in.c-ws-src.days", "destination": "d",
                                                   "changed_since": "adaptive"}]}}}
                """, component, WORKSPACE);
        assertThat(adaptive.exitCode()).isEqualTo(1);
        assertThat(adaptive.message()).isEqualTo("Adaptive input mapping is not supported on input mapping to workspace.");
        assertThat(marker).doesNotExist();
    }
}
