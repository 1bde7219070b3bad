package io.granary.core.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeaderReaderTest {

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        return Files.write(dir.resolve("f" + System.nanoTime()), content.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsQuotedHeaderWithDelimitersNewlinesAndBom() throws IOException {
        assertThat(HeaderReader.read(file("\uFEFFid,\"na,me\",\"multi\nline\",\"q\"\"uote\"\r\n1,2,3,4\n"), CsvDialect.RFC))
                .containsExactly("id", "na,me", "multi\nline", "q\"uote");
    }

    @Test
    void readsGzipAndOtherDialects() throws IOException {
        Path gz = dir.resolve("h.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("a;'b;c'\n1;2\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(HeaderReader.isGzip(gz)).isTrue();
        assertThat(HeaderReader.read(gz, CsvDialect.of(";", "'", ""))).containsExactly("a", "b;c");
    }

    @Test
    void emptyFileHasNoHeader() throws IOException {
        assertThat(HeaderReader.read(file(""), CsvDialect.RFC)).isEmpty();
    }

    @Test
    void brokenHeadersAreClearErrors() throws IOException {
        Path unclosed = file("a,\"b\n1,2\n");
        assertThatThrownBy(() -> HeaderReader.read(unclosed, CsvDialect.RFC)).isInstanceOf(GranaryException.class)
                .hasMessageContaining("unclosed enclosure");
        Path notGzip = dir.resolve("bad.gz");
        Files.write(notGzip, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        assertThatThrownBy(() -> HeaderReader.read(notGzip, CsvDialect.RFC)).isInstanceOf(GranaryException.class)
                .hasMessageContaining("Invalid gzip data");
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, new byte[] {'a', ',', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> HeaderReader.read(latin1, CsvDialect.RFC)).isInstanceOf(GranaryException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void columnNamesAreSanitisedAndChecked() {
        assertThat(ColumnNames.sanitizeHeader(List.of("with spaces", "dots.and/slash", "ok_1"))).containsExactly(
                "with_spaces", "dots_and_slash", "ok_1");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("ünï")))
                .hasMessageStartingWith("\"ünï\" contains not allowed characters.");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("a b", "a_b")))
                .hasMessage("Column name \"a_b\" is duplicated (after sanitising \"a b\").");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("a_b", "a b")))
                .hasMessage("Column name \"a_b\" is duplicated (after sanitising \"a b\").");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("a b", "a.b")))
                .hasMessage("Column name \"a_b\" is duplicated (after sanitising \"a b\" and \"a.b\").");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("x", "x"))).hasMessage("Column name \"x\" is duplicated.");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("a", "")))
                .hasMessage("Column 2 of the CSV header has an empty name.");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("_timestamp")))
                .hasMessageContaining("system column");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of("x".repeat(65))))
                .hasMessageContaining("longer than 64");
        assertThatThrownBy(() -> ColumnNames.sanitizeHeader(List.of())).hasMessage("No columns found in the CSV file header.");
    }
}
