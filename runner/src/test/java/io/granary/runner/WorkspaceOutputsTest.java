package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which workspace tables a run unloads (spec 5.4), from the mapping and {@code out/tables} manifests only. */
class WorkspaceOutputsTest {

    @TempDir
    Path tmp;

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
