package io.granary.objectstore;

import static io.granary.objectstore.SessionTokenTest.MASTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.FileType;
import io.granary.core.model.StoredFile;
import io.granary.core.port.ExportTarget;
import io.granary.core.port.ObjectStore;
import io.granary.core.storage.ExportFiles;
import io.granary.core.storage.FileService;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seam exports write through ({@link ExportFiles}, {@link ExportTarget}): slices handed over locally or
 * written straight into the store under the file's key are registered as one sliced file (manifest, sizes, tags,
 * type), and whatever breaks the rules leaves neither objects nor a record. A real embedded store and catalog.
 */
class ExportFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    EmbeddedFixture fixture;
    ObjectStore store;
    FileService files;
    ExportFiles exports;

    @BeforeEach
    void start() {
        fixture = new EmbeddedFixture(dir);
        store = fixture.storage.objectStore();
        files = new FileService(fixture.catalog, store, fixture.storage.credentialIssuer(), Clock.systemUTC(), 1);
        exports = files.exports();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** A sliced export file of local {@code slices}, as a backend writing local files makes it. */
    static StoredFile export(FileService files, Path scratch, String name, FileType type, List<String> contents)
            throws IOException {
        ExportFiles.Pending pending = files.exports().start(name, type, List.of("table-export"), MASTER.id(), "master",
                null);
        ExportTarget target = files.exports().target(pending, scratch);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < contents.size(); i++) {
            Path slice = Files.writeString(scratch.resolve("slice-" + i), contents.get(i));
            keys.add(target.putSlice(ExportTarget.sliceName(i, ".csv"), slice));
        }
        return files.exports().register(pending, keys);
    }

    @Test
    void handedOverSlicesBecomeOneSlicedFileWithItsManifest() throws Exception {
        StoredFile file = export(files, Files.createDirectories(dir.resolve("scratch")), "orders.csv", FileType.CSV,
                List.of("\"1\",\"a\"\n", "\"2\",\"b\"\n", ""));

        assertThat(file.isSliced()).isTrue();
        assertThat(file.fileType()).isEqualTo("csv");
        assertThat(file.tags()).containsExactly("table-export");
        assertThat(file.sizeBytes()).isEqualTo(16);
        assertThat(file.expires()).isEqualTo(file.created().plus(Duration.ofDays(FileService.MAX_AGE_DAYS)));
        assertThat(fixture.catalog.findFile(file.id())).hasValueSatisfying(f -> assertThat(f.key()).isEqualTo(file.key()));
        assertThat(file.key()).matches("exp-15/1/files/\\d{4}/\\d{2}/\\d{2}/" + file.id() + "\\.orders\\.csv");
        JsonNode manifest = manifest(file);
        assertThat(manifest.path("entries")).hasSize(3);
        assertThat(manifest.path("entries").get(0).path("url").asText())
                .isEqualTo("s3://" + store.bucket() + "/" + file.key() + "0000_part_00.csv");
        assertThat(manifest.path("entries").get(2).path("mandatory").asBoolean()).isTrue();
        // the slices were moved in place: nothing is left in the scratch directory
        assertThat(dir.resolve("scratch")).isEmptyDirectory();
        // File Storage reads them back in manifest order, as any load of the file would
        try (var local = files.localFiles(file, dir)) {
            assertThat(local.paths()).hasSize(3);
            assertThat(Files.readString(local.paths().get(1))).isEqualTo("\"2\",\"b\"\n");
        }
    }

    @Test
    void slicesAnEngineWroteItselfAreRegisteredAndItsOtherObjectsRemoved() throws Exception {
        ExportFiles.Pending pending = exports.start("events.parquet", FileType.PARQUET, List.of("table-export"),
                MASTER.id(), "master", "run-1");
        ExportTarget target = exports.target(pending, dir);
        // what Trino's writer leaves in the directory keyPrefix + "/": its files in any order, and a marker file
        String directory = target.keyPrefix() + "/";
        put(directory + "20260101_000001_b.parquet", "PAR1-b");
        put(directory + "20260101_000000_a.parquet", "PAR1-aa");
        put(directory + ".trino-marker", "x");

        StoredFile file = exports.register(pending, List.of(directory + "20260101_000000_a.parquet",
                directory + "20260101_000001_b.parquet"));

        assertThat(file.fileType()).isEqualTo("parquet");
        assertThat(file.runId()).isEqualTo("run-1");
        assertThat(file.sizeBytes()).isEqualTo(13);
        assertThat(keys(file.key())).containsExactlyInAnyOrder(directory + "20260101_000000_a.parquet",
                directory + "20260101_000001_b.parquet", file.key() + "manifest");
        assertThat(manifest(file).path("entries").findValuesAsText("url")).containsExactly(
                "s3://" + store.bucket() + "/" + directory + "20260101_000000_a.parquet",
                "s3://" + store.bucket() + "/" + directory + "20260101_000001_b.parquet");
    }

    @Test
    void slicesThatBreakTheRulesLeaveNeitherObjectsNorARecord() throws Exception {
        List<Function<ExportTarget, List<String>>> broken = List.of(
                t -> List.of(),
                t -> List.of(t.keyPrefix() + "0000_part_00.csv", "exp-15/1/files/2026/01/01/1.other.csv0000_part_00.csv"),
                t -> List.of(t.keyPrefix() + "manifest"),
                t -> List.of(t.keyPrefix() + "/a/../0000_part_00.csv"),
                t -> List.of(t.keyPrefix() + "0000_part_00.csv", t.keyPrefix() + "/0000_part_00.csv"),
                t -> List.of(t.keyPrefix() + "0000_part_00.csv", t.keyPrefix() + "0001_part_00.csv"));
        for (Function<ExportTarget, List<String>> slices : broken) {
            ExportFiles.Pending pending = exports.start("t.csv", FileType.CSV, List.of(), MASTER.id(), "master", null);
            ExportTarget target = exports.target(pending, dir);
            put(target.keyPrefix() + "0000_part_00.csv", "\"1\"\n");
            put(target.keyPrefix() + "/0000_part_00.csv", "\"2\"\n");
            List<String> named = slices.apply(target);

            GranaryException e = catchThrowableOfType(GranaryException.class, () -> exports.register(pending, named));

            assertThat(e).as(named.toString()).isNotNull();
            assertThat(e.errorCode()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(keys(pending.key())).as(named.toString()).isEmpty();
            assertThat(fixture.catalog.findFile(pending.id())).isEmpty();
        }
    }

    @Test
    void aFailedExportIsDiscardedWithEverythingItWrote() {
        ExportFiles.Pending pending = exports.start("t.csv", FileType.CSV, List.of(), MASTER.id(), "master", null);
        put(pending.key() + "0000_part_00.csv", "\"1\"\n");
        put(pending.key() + "/engine/part", "\"2\"\n");
        RuntimeException failure = new RuntimeException("the engine failed");

        exports.discard(pending, failure);

        assertThat(keys(pending.key())).isEmpty();
        assertThat(failure.getSuppressed()).isEmpty();
        assertThat(fixture.catalog.findFile(pending.id())).isEmpty();
    }

    private void put(String key, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        store.put(key, new ByteArrayInputStream(bytes), bytes.length);
    }

    private List<String> keys(String prefix) {
        return store.list(prefix).stream().map(ObjectStore.ObjectInfo::key).toList();
    }

    private JsonNode manifest(StoredFile file) throws IOException {
        try (InputStream in = store.open(file.key() + "manifest").orElseThrow()) {
            return JSON.readTree(in);
        }
    }
}
