package io.granary.core.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files read through {@link CsvRecords#open}: values as parsed, problems as {@link CsvChecker} words them. */
class CsvRecordsTest {

    @TempDir
    Path dir;
    private int files;

    @Test
    void valuesKeepQuotesDelimitersAndLineEnds() {
        assertThat(read("1,\"a \"\"quoted\"\", b\"\n2,\"multi\r\nline\"\n3,日本語\n", 2, false))
                .containsExactly(List.of("1", "a \"quoted\", b"), List.of("2", "multi\r\nline"), List.of("3", "日本語"));
    }

    @Test
    void blankLinesSpacesAroundQuotesAndTrailingEmptyFieldsAreDropped() {
        assertThat(read("1, \"a\" ,\n\n2,b,\"\"\n3, c\n", 2, false))
                .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", " c"));
        assertThat(read("a\n\nb\n", 1, false)).containsExactly(List.of("a"), List.of(""), List.of("b"));
    }

    @Test
    void aHeaderIsSkippedWhateverItsFieldCountAndItsQuotedLineEndsStayInIt() throws IOException {
        try (CsvRecords r = CsvRecords.open(write("id,v,\"w\nx\"\n1,a,\n"), CsvDialect.RFC, 2, true, "")) {
            r.skipHeader();
            assertThat(r.next()).containsExactly("1", "a");
            assertThat(r.recordLine()).isEqualTo(3);
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void recordsEndWithAnyLineEndAndValuesKeepTheirs() {
        assertThat(read("1,a\r2,\"x\ny\"\r", 2, false)).containsExactly(List.of("1", "a"), List.of("2", "x\ny"));
        assertThat(read("1,a\r\n2,\"x\ry\"\n3,\r\n", 2, false))
                .containsExactly(List.of("1", "a"), List.of("2", "x\ry"), List.of("3", ""));
    }

    @Test
    void gzipFilesAreReadAndAByteOrderMarkIsSkipped() {
        assertThat(read("\uFEFF1,a\n2,b\n", 2, true)).containsExactly(List.of("1", "a"), List.of("2", "b"));
    }

    @Test
    void anEscapeCharacterMakesTheNextOneLiteral() throws IOException {
        List<List<String>> rows = new ArrayList<>();
        try (CsvRecords r = CsvRecords.open(write("1,\"a\\\"b\\\\c\"\n"), new CsvDialect(',', '"', '\\'), 2, false, "")) {
            String[] values;
            while ((values = r.next()) != null) {
                rows.add(Arrays.asList(values.clone()));
            }
        }
        assertThat(rows).containsExactly(List.of("1", "a\"b\\c"));
    }

    @Test
    void problemsAreTheCheckersNamingTheLineWhereTheRecordStarts() {
        assertProblem("1,a\n2,\"multi\nline\"\n3\n", "Invalid CSV file. Line 4: expected 2 fields, found 1.");
        assertProblem("1,a\n2,b,c\n", "Invalid CSV file. Line 2: expected 2 fields, found 3.");
        assertProblem("1,a\n2,\"open\n3,b\n", "Invalid CSV file. Line 2: " + CsvChecker.UNTERMINATED + ".");
        assertProblem("1,\"a\"x\n", "Invalid CSV file. Line 1: " + CsvChecker.STRAY + ".");
        assertProblem("1,a\n3,plain\"quote\n", "Invalid CSV file. Line 2: " + CsvChecker.quoteInUnquoted('"') + ".");
        assertProblem("1,a\n2,\"x\ny\u0000\"\n", "Invalid CSV file. Line 3: " + CsvChecker.NUL + ".");
    }

    @Test
    void aProblemFarBehindTheFirstRecordsStillFailsTheRead() {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            csv.append(i).append(",value ").append(i).append('\n');
        }
        csv.append("x,\"open\n");
        assertThatThrownBy(() -> read(csv.toString(), 2, true)).isInstanceOf(GranaryException.class)
                .hasMessage("Invalid CSV file. Line 50001: " + CsvChecker.UNTERMINATED + ".");
    }

    private void assertProblem(String csv, String message) {
        assertThatThrownBy(() -> read(csv, 2, false)).isInstanceOf(GranaryException.class).hasMessage(message)
                .satisfies(e -> assertThat(((GranaryException) e).errorCode()).isEqualTo(ErrorCode.INVALID_CSV));
    }

    private List<List<String>> read(String csv, int columns, boolean gzip) {
        List<List<String>> rows = new ArrayList<>();
        try (CsvRecords r = CsvRecords.open(gzip ? writeGzip(csv) : write(csv), CsvDialect.RFC, columns, false, "")) {
            String[] values;
            while ((values = r.next()) != null) {
                rows.add(Arrays.asList(values.clone()));
            }
        }
        return rows;
    }

    private Path write(String csv) {
        try {
            return Files.writeString(dir.resolve("f" + files++ + ".csv"), csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path writeGzip(String csv) {
        Path file = dir.resolve("f" + files++ + ".csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(csv.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
