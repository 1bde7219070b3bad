package io.granary.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend.LoadRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gzip files reach DuckDB through named pipes, gunzipped by Java in the one pass that also checks the gzip trailer
 * and the strict CSV rules: mixed with plain files and each other in file order; a broken one (truncated, wrong
 * CRC, a CSV error with its line) named by its place in the load, the table unchanged; a load that fails before
 * DuckDB opens a pipe does not hang; no pipe is left behind. Every failure case also runs on the fallback where
 * the machine has no mkfifo (DuckDB inflates, Java checks beside it), with the same errors.
 */
@Timeout(120)
class GzipPipesTest {

    private static final TableRef T = new TableRef("in.c-main", "gz");

    @TempDir
    Path dir;
    private DuckDbDatabase database;
    private DuckDbTableBackend backend;
    private int fileNo;

    @BeforeEach
    void open() {
        database = new DuckDbDatabase(dir.resolve("tables.duckdb"));
        backend = new DuckDbTableBackend(database, dir.resolve("tmp"));
        backend.createTable(T, List.of("id", "name"));
    }

    @AfterEach
    void close() {
        backend.close();
        database.close();
    }

    @Test
    void thisMachineMakesPipes() {
        assertThat(GzipPipes.available(dir.resolve("tmp"))).as("mkfifo on Linux").isTrue();
    }

    @Test
    void withoutPipesTheSameFailuresGiveTheSameErrors() throws IOException {
        backend.withoutPipes();
        aBrokenSliceIsNamedAndChangesNothing();
        aCsvErrorInsideAGzipFileIsTheCsvError();
        aLoadThatFailsBeforeDuckDbOpensItsPipesDoesNotHang();
        gzipAndPlainFilesLoadInFileOrder();
    }

    @Test
    void aCsvErrorDuckDbWouldAcceptIsFoundInThePipedBytes() throws IOException {
        // DuckDB reads a quote inside an unquoted value without complaint: only the checker on the pipe's bytes sees it
        String body = rows(0, 30_000) + "7,na\"me\n" + rows(30_000, 100_000);
        backend.load(T, request(List.of(file("1,a\n")), List.of()), noProgress());
        List<Path> files = List.of(file(rows(0, 10)), gzip(body));
        assertThatThrownBy(() -> backend.load(T, request(files, List.of()), noProgress()))
                .isInstanceOfSatisfying(GranaryException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("Invalid CSV file (file 2 of 2). Line 30001: an enclosure character (\") inside a value"
                                + " that is not enclosed (enclose the value and double the character)."));
        assertThat(count()).isEqualTo(1);
        assertNoPipesLeft();
    }

    @Test
    void aWrongCrcAfterAHalfLineIsTheGzipError() throws IOException {
        // the stream inflates fine and ends cleanly: only the trailer's CRC, checked in the pass that feeds DuckDB, is wrong
        byte[] wrongCrc = gzipBytes(rows(0, 50_000));
        wrongCrc[wrongCrc.length - 6] ^= 0x40;
        assertThatThrownBy(() -> backend.load(T, request(List.of(write(wrongCrc)), List.of()), noProgress()))
                .isInstanceOfSatisfying(GranaryException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CSV);
                    assertThat(e.getMessage()).isEqualTo("Invalid CSV file. Invalid gzip data (Corrupt GZIP trailer).");
                });
        assertThat(count()).isZero();
        assertNoPipesLeft();
    }

    @Test
    void gzipAndPlainFilesLoadInFileOrder() throws IOException {
        backend.load(T, request(List.of(file("")), List.of()), noProgress());
        List<Path> files = List.of(gzip(rows(0, 50_000)), file(rows(50_000, 10)), gzip(rows(50_010, 30_000)),
                gzip(rows(80_010, 5)));
        backend.load(T, request(files, List.of("id")), noProgress());
        assertThat(count()).isEqualTo(80_015);
        assertNoPipesLeft();
    }

    @Test
    void aBrokenSliceIsNamedAndChangesNothing() throws IOException {
        backend.load(T, request(List.of(file("1,a\n")), List.of()), noProgress());
        byte[] valid = gzipBytes(rows(0, 40_000));
        byte[] truncated = Arrays.copyOf(valid, valid.length / 2);
        byte[] wrongCrc = valid.clone();
        wrongCrc[wrongCrc.length - 8] ^= 0x01;
        for (byte[] broken : List.of(truncated, wrongCrc)) {
            List<Path> files = List.of(gzip(rows(0, 1000)), write(broken), gzip(rows(5000, 1000)));
            assertThatThrownBy(() -> backend.load(T, request(files, List.of()), noProgress()))
                    .isInstanceOfSatisfying(GranaryException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CSV);
                        assertThat(e.getMessage()).startsWith("Invalid CSV file (file 2 of 3). Invalid gzip data (");
                    });
            assertThat(count()).isEqualTo(1);
        }
        assertNoPipesLeft();
    }

    @Test
    void aCsvErrorInsideAGzipFileIsTheCsvError() throws IOException {
        backend.load(T, request(List.of(file("")), List.of()), noProgress());
        String body = rows(0, 20_000) + "x,y,z\n" + rows(20_000, 200_000);
        assertThatThrownBy(() -> backend.load(T, request(List.of(gzip(body)), List.of()), noProgress()))
                .isInstanceOfSatisfying(GranaryException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CSV);
                    assertThat(e.getMessage()).isEqualTo("Invalid CSV file. Line 20001: expected 2 fields, found 3.");
                });
        assertThat(count()).isZero();
        assertNoPipesLeft();
    }

    @Test
    void aLoadThatFailsBeforeDuckDbOpensItsPipesDoesNotHang() throws IOException {
        backend.load(T, request(List.of(file("")), List.of()), noProgress());
        // the plain file is read (and fails) before the group of gzip files after it is opened
        List<Path> files = List.of(file("1,\"unclosed\n"), gzip(rows(0, 100_000)), gzip(rows(0, 10)));
        assertThatThrownBy(() -> backend.load(T, request(files, List.of()), noProgress()))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.getMessage()).contains("file 1 of 3").contains("unterminated quote"));
        assertThat(count()).isZero();
        assertNoPipesLeft();
    }

    private long count() {
        try (var c = database.connect(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM \"in.c-main\".\"gz\"")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertNoPipesLeft() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("tmp"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("gunzip-"))).isEmpty();
        }
    }

    private static String rows(int from, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            sb.append(i).append(",\"name ").append(i).append("\"\n");
        }
        return sb.toString();
    }

    private static LoadRequest request(List<Path> files, List<String> primaryKey) {
        return new LoadRequest(files, false, CsvDialect.RFC, List.of("id", "name"), false, primaryKey, Instant.now(), null);
    }

    private static JobProgress noProgress() {
        return (bytes, rows) -> { };
    }

    private Path file(String content) throws IOException {
        return write(content.getBytes(StandardCharsets.UTF_8));
    }

    private Path gzip(String content) throws IOException {
        return write(gzipBytes(content));
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("f" + fileNo++ + ".csv"), bytes);
    }

    private static byte[] gzipBytes(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
