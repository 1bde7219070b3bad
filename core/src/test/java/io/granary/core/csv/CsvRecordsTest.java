package io.granary.core.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRecordsTest {

    @Test
    void valuesKeepQuotesDelimitersAndLineEnds() {
        assertThat(read("1,\"a \"\"quoted\"\", b\"\n2,\"multi\r\nline\"\n3,plain\"quote\n", 2))
                .containsExactly(List.of("1", "a \"quoted\", b"), List.of("2", "multi\r\nline"), List.of("3", "plain\"quote"));
    }

    @Test
    void blankLinesSpacesAroundQuotesAndTrailingEmptyFieldsAreDropped() {
        assertThat(read("1, \"a\" ,\n\n2,b,\"\"\n3, c\n", 2))
                .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", " c"));
        assertThat(read("a\n\nb\n", 1)).containsExactly(List.of("a"), List.of(""), List.of("b"));
    }

    @Test
    void aHeaderIsSkippedWhateverItsFieldCountAndItsQuotedLineEndsStayInIt() {
        try (CsvRecords r = CsvRecords.of(new StringReader("id,v,\"w\nx\"\n1,a,\n"), CsvDialect.RFC, 2)) {
            r.skipHeader();
            assertThat(r.next()).containsExactly("1", "a");
            assertThat(r.recordLine()).isEqualTo(3);
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void recordsEndWithTheFilesOneLineEndAndValuesKeepAnyOther() {
        assertThat(read("1,a\r2,\"x\ny\"\r", 2)).containsExactly(List.of("1", "a"), List.of("2", "x\ny"));
        assertThat(read("1,a\r\n2,\"x\ry\"\r\n3,\r\n", 2))
                .containsExactly(List.of("1", "a"), List.of("2", "x\ry"), List.of("3", ""));
        assertProblem("1,a\n2,\"two\r\nlines\"\n3,b\r\n", 2, "Invalid CSV file. Line 4: a line end differs from the"
                + " first line's (mixed CRLF/LF line ends).");
        assertProblem("1,a\r\n2,b\n", 2, "Invalid CSV file. Line 2: a line end differs from the first line's (mixed"
                + " CRLF/LF line ends).");
    }

    @Test
    void aNulCharacterIsAnErrorOnItsLineAndAByteOrderMarkIsSkipped() {
        assertProblem("1,a\n2,\"x\ny\u0000\"\n", 2, "Invalid CSV file. Line 3: a NUL character (byte 0x00), which a value"
                + " cannot hold.");
        assertThat(read("\uFEFF1,a\n", 2)).containsExactly(List.of("1", "a"));
    }

    @Test
    void anEscapeCharacterMakesTheNextOneLiteral() {
        assertThat(read("1,\"a\\\"b\\\\c\"\n", 2, new CsvDialect(',', '"', '\\')))
                .containsExactly(List.of("1", "a\"b\\c"));
    }

    @Test
    void problemsNameTheLineWhereTheRecordStarts() {
        assertProblem("1,a\n2,\"multi\nline\"\n3\n", 2, "Invalid CSV file. Line 4: expected 2 fields, found 1.");
        assertProblem("1,a\n2,b,c\n", 2, "Invalid CSV file. Line 2: expected 2 fields, found 3.");
        assertProblem("1,a\n2,\"open\n3,b\n", 2, "Invalid CSV file. Line 2: a quoted value is not closed (unterminated quote).");
        assertProblem("1,\"a\"x\n", 2, "Invalid CSV file. Line 1: a quoted value is followed by other characters before the"
                + " delimiter (stray enclosure character).");
    }

    private static void assertProblem(String csv, int columns, String message) {
        assertThatThrownBy(() -> read(csv, columns)).isInstanceOf(GranaryException.class).hasMessage(message)
                .satisfies(e -> assertThat(((GranaryException) e).errorCode()).isEqualTo(ErrorCode.INVALID_CSV));
    }

    private static List<List<String>> read(String csv, int columns) {
        return read(csv, columns, CsvDialect.RFC);
    }

    private static List<List<String>> read(String csv, int columns, CsvDialect dialect) {
        List<List<String>> rows = new ArrayList<>();
        try (CsvRecords r = CsvRecords.of(new StringReader(csv), dialect, columns)) {
            String[] values;
            while ((values = r.next()) != null) {
                rows.add(Arrays.asList(values.clone()));
            }
        }
        return rows;
    }
}
