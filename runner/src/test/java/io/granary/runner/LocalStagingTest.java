package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local output staging's discovery of {@code out/tables} (spec 3.2) and the staging's lifecycle, on disk only. */
class LocalStagingTest {

    @TempDir
    Path tmp;

    LocalOutputStaging staging(DataFolder folder) {
        return new LocalOutputStaging(new StagingContext(null, folder, (level, message) -> { }, 1, "c", null, false));
    }

    static List<OutputTableMapping> mapping(String... sources) {
        StringBuilder items = new StringBuilder();
        for (String s : sources) {
            items.append(items.length() == 0 ? "" : ",").append("{\"source\": \"").append(s).append("\"}");
        }
        return Config.parse(OutputTableResolverTest.json("{\"storage\": {\"output\": {\"tables\": [" + items + "]}}}"))
                .outputTables();
    }

    @Test
    void sourcesAreTheVisibleDataItemsSortedWithTheirManifestsAndSlices() throws IOException {
        DataFolder folder = DataFolder.create(tmp.resolve("data"));
        Path out = folder.outTables();
        Files.writeString(out.resolve("b.csv"), "a\n1\n");
        Files.writeString(out.resolve("b.csv.manifest"), "{}");
        Files.createDirectories(out.resolve("a.csv"));
        Files.writeString(out.resolve("a.csv/part1"), "1\n");
        Files.writeString(out.resolve(".hidden.csv"), "x\n");
        List<OutputSource> sources = staging(folder).sources(mapping("b.csv"), false);
        assertThat(sources).containsExactly(new OutputSource("a.csv", null, true, List.of()),
                new OutputSource("b.csv", out.resolve("b.csv.manifest"), false, List.of()));
    }

    @Test
    void orphanedManifestsAndMissingSourcesAreRefusedUnlessTheJobFailed() throws IOException {
        DataFolder folder = DataFolder.create(tmp.resolve("data"));
        Path out = folder.outTables();
        Files.writeString(out.resolve("x.csv.manifest"), "{}");
        Files.writeString(out.resolve("y.manifest"), "{}");
        assertThatThrownBy(() -> staging(folder).sources(List.of(), false)).isInstanceOf(UserException.class)
                .hasMessage("Found orphaned table manifest: \"x.csv.manifest\", \"y.manifest\"");
        Files.delete(out.resolve("x.csv.manifest"));
        Files.delete(out.resolve("y.manifest"));
        assertThatThrownBy(() -> staging(folder).sources(mapping("m.csv", "n.csv", "m.csv"), false))
                .hasMessage("Table sources not found: \"m.csv\", \"n.csv\"");
        assertThat(staging(folder).sources(mapping("m.csv"), true)).as("failed job: whatever is there").isEmpty();
    }

    @Test
    void slicesPlainAndGzipAreJoinedLineByLineIntoOneTempFile() throws IOException {
        DataFolder folder = DataFolder.create(tmp.resolve("data"));
        Path dir = Files.createDirectories(folder.outTables().resolve("s.csv"));
        Files.writeString(dir.resolve("p1"), "1,a");
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(dir.resolve("p2.gz")))) {
            gz.write("2,b\n".getBytes());
        }
        Files.writeString(dir.resolve("p3"), "");
        Path joined = LocalOutputStaging.concatSlices(dir);
        try {
            assertThat(Files.readString(joined)).isEqualTo("1,a\n2,b\n");
        } finally {
            Files.delete(joined);
        }
        TableOutput o = new TableOutput("s.csv", true, "in.c-a.s", List.of("id", "v"), false, List.of(), false, ",", "\"",
                false, List.of(), List.of(), List.of(), Map.of());
        try (TableData data = staging(folder).open(o)) {
            assertThat(data.empty()).isFalse();
        }
        assertThat(Files.exists(dir.resolve("p1"))).as("the component's own slices stay").isTrue();
    }

    @Test
    void stagingClosesEachSideOnceAndMergesWhatTheyGiveTheComponent() {
        AtomicInteger closes = new AtomicInteger();
        class Shared implements InputStaging, OutputStaging {
            @Override
            public String name() {
                return "shared";
            }

            @Override
            public void stageTables(List<InputTable> tables) {
            }

            @Override
            public List<OutputSource> sources(List<OutputTableMapping> mapping, boolean failedJob) {
                return List.of();
            }

            @Override
            public TableData open(TableOutput output) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Map<String, String> environment() {
                return Map.of("X_ENDPOINT", "http://s3");
            }

            @Override
            public ObjectNode authorization() {
                ObjectNode a = Json.object();
                a.putObject("workspace").put("password", "pw-1");
                return a;
            }

            @Override
            public Set<String> secrets() {
                return Set.of("pw-1");
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        }
        Shared shared = new Shared();
        Staging staging = new Staging(shared, shared);
        assertThat(staging.environment()).containsExactly(Map.entry("X_ENDPOINT", "http://s3"));
        assertThat(staging.authorization().at("/workspace/password").asText()).isEqualTo("pw-1");
        assertThat(staging.secrets()).containsExactly("pw-1");
        staging.close();
        staging.close();
        assertThat(closes).as("a side shared by input and output is closed once, and only once").hasValue(1);
    }

    @Test
    void theModesNameTheStagingsAndUnknownModesAreRefused() {
        StagingContext context = new StagingContext(null, DataFolder.create(tmp.resolve("d")), (l, m) -> { }, 1, "c", null, false);
        assertThat(Staging.open(StagingModes.LOCAL, context).input().name()).isEqualTo("local");
        assertThat(Staging.open(new StagingModes(null, "", null), context).output().name()).isEqualTo("local");
        Staging s3 = Staging.open(new StagingModes("s3", "local", null), context);
        assertThat(s3.input().name()).isEqualTo("s3");
        assertThat(s3.output().name()).isEqualTo("local");
        assertThatThrownBy(() -> Staging.open(new StagingModes("abs", "local", null), context))
                .isInstanceOf(UserException.class).hasMessage("Unknown input staging \"abs\". Use one of: local, s3, workspace.");
        assertThatThrownBy(() -> Staging.open(new StagingModes("local", "none", null), context))
                .hasMessage("Unknown output staging \"none\". Use one of: local, workspace.");
    }
}
