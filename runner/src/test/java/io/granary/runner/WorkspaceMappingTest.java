package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapping rules of workspace staging: what a workspace load refuses (spec
 * 5.2) and which workspace tables a run unloads (spec 5.4).
 */
class WorkspaceMappingTest {

    @TempDir
    Path tmp;

    static List<InputTableMapping> inputs(String tables) throws IOException {
        return Config.parse(Json.MAPPER.readTree("{\"storage\": {\"input\": {\"tables\": " + tables + "}}}")).inputTables();
    }

    @Test
    void daysAndAdaptiveCannotBeLoadedIntoAWorkspace() throws IOException {
        assertThatThrownBy(() -> WorkspaceInputs.check(inputs("[{\"source\": \"in.c-a.t\", \"days\": 3}]")))
                .isInstanceOf(UserException.class)
                .hasMessage("Days option is not supported on workspace, use changed_since instead.");
        assertThatThrownBy(() -> WorkspaceInputs.check(inputs("[{\"source\": \"in.c-a.t\"},"
                + " {\"source\": \"in.c-a.u\", \"changed_since\": \"adaptive\"}]")))
                .isInstanceOf(UserException.class)
                .hasMessage("Adaptive input mapping is not supported on input mapping to workspace.");
        assertThatCode(() -> WorkspaceInputs.check(inputs("[{\"source\": \"in.c-a.t\", \"days\": 0,"
                + " \"changed_since\": \"-2 days\"}]"))).doesNotThrowAnyException();
    }

    @Test
    void everyMappingSourceAndEveryManifestWithoutOneSortedOnce() throws IOException {
        Path out = DataFolder.create(tmp.resolve("data")).outTables();
        Files.writeString(out.resolve("b.manifest"), "{}");
        Files.writeString(out.resolve("c.manifest"), "{}");
        Files.writeString(out.resolve(".hidden.manifest"), "{}");
        Files.writeString(out.resolve("stray.csv"), "a\n1\n"); // a file is no workspace table
        Files.createDirectories(out.resolve("dir.manifest"));
        List<OutputSource> sources = WorkspaceOutputs.sources(out,
                LocalStagingTest.mapping("c", "a", "c", "../up"));
        assertThat(sources).containsExactly(new OutputSource("../up", null, false, List.of()),
                new OutputSource("a", null, false, List.of()),
                new OutputSource("b", out.resolve("b.manifest"), false, List.of()),
                new OutputSource("c", out.resolve("c.manifest"), false, List.of()));
    }
}
