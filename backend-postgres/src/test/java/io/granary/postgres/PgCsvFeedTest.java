package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PgCsvFeedTest {

    @Test
    void passesOrdinaryCsvUnchanged() {
        String csv = "id,name\n1,\"a,b\"\n2,\"x\ny\"\n3,\"say \"\"hi\"\"\"\n";
        assertThat(filter(csv, 2)).isEqualTo(csv);
    }

    @Test
    void everyRecordEndsInLfAndLineEndsInsideQuotesStay() {
        assertThat(filter("a,b\r\n1,\"x\r\ny\"\n2,z\r3,w\r\n", 2)).isEqualTo("a,b\n1,\"x\r\ny\"\n2,z\n3,w\n");
        assertThat(filter("v\r\r\n1\r", 1)).isEqualTo("v\n\n1\n");
    }

    @Test
    void dropsBlankLinesOnlyWhenThereAreSeveralColumns() {
        assertThat(filter("\nid,name\n1,a\n\n\r\n2,b\n\n", 2)).isEqualTo("id,name\n1,a\n2,b\n");
        assertThat(filter("a,b\r\n\r\n1,2\r\n", 2)).isEqualTo("a,b\n1,2\n");
        assertThat(filter("1,\"x\n\ny\"\n", 2)).isEqualTo("1,\"x\n\ny\"\n");
        assertThat(filter("id\n1\n\n2\n", 1)).isEqualTo("id\n1\n\n2\n");
    }

    @Test
    void dropsEmptyFieldsAfterTheLastExpectedOne() {
        assertThat(filter("1,a,\n2,b,,\"\"\r\n3,c,", 2)).isEqualTo("1,a\n2,b\n3,c");
        assertThat(filter("1,\n", 1)).isEqualTo("1\n");
        assertThat(filter("1\n,\n,,", 1)).isEqualTo("1\n\n\"\"");
        assertThat(filter("1,a, \"\"\n2,b, \n3,c,  ", 2)).isEqualTo("1,a\n2,b, \n3,c,  ");
        // anything else after them is sent, so COPY names the extra data
        assertThat(filter("1,a,,x\n2,b,\"q\"\n3,c,\"\"\"\"\n", 2)).isEqualTo("1,a,,x\n2,b,\"q\"\n3,c,\"\"\"\"\n");
        assertThat(filter("1,a,\"", 2)).isEqualTo("1,a,\"");
    }

    @Test
    void quotesALoneEndOfDataMarker() {
        assertThat(filter("\\.\n1\n\\.\r\n\\.x\n\"\\.\"\n\\.", 1)).isEqualTo("\"\\.\"\n1\n\"\\.\"\n\\.x\n\"\\.\"\n\"\\.\"");
        // inside a quoted value a line start is not a record start
        assertThat(filter("1,\"a\n\\.\nb\"\n", 2)).isEqualTo("1,\"a\n\\.\nb\"\n");
    }

    @Test
    void aQuoteInsideAnUnquotedValueIsRefused() {
        assertThatThrownBy(() -> filter("1,12\" pizza\n", 2)).isInstanceOf(PgCsvFeed.Malformed.class);
    }

    @Test
    void spacesAroundQuotedValuesAreDroppedAndOtherTextAfterAClosingQuoteIsAnError() {
        assertThat(filter("1, \"a\" ,\"b\"  \n2,\"x\"\"y\"\n", 3)).isEqualTo("1,\"a\",\"b\"\n2,\"x\"\"y\"\n");
        assertThat(filter("1,  x \n", 2)).isEqualTo("1,  x \n");
        assertThatThrownBy(() -> filter("id,v\n1,ok\n2,\"two\nlines\"x\n", 2))
                .isInstanceOf(PgCsvFeed.Malformed.class);
        assertThatThrownBy(() -> filter("id,v\n1,\"a\" \"b\"\n", 2)).isInstanceOf(PgCsvFeed.Malformed.class);
    }

    @Test
    void followsCopyQuotingWithAnEscapeCharacter() {
        CsvDialect backslash = new CsvDialect(';', '"', '\\');
        assertThat(filter("1;\"a\\\"b;\nc\"\n2;x;\n", 2, backslash)).isEqualTo("1;\"a\\\"b;\nc\"\n2;x\n");
        assertThat(filter("1;\"a\\ b\\\\c\\n\"\n", 2, backslash)).isEqualTo("1;\"a b\\\\cn\"\n");
    }

    @Test
    void bulkCopyingGivesTheSameBytesAsOneByteAtATime() {
        java.util.Random random = new java.util.Random(42);
        char[] alphabet = {'a', 'b', ' ', ',', ';', '"', '\\', '.', '\r', '\n', 'x', 'y', 'z'};
        CsvDialect[] dialects = {CsvDialect.RFC, new CsvDialect(';', '"', '\\')};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                b.append(alphabet[random.nextInt(alphabet.length)]);
            }
            byte[] in = b.toString().getBytes(StandardCharsets.UTF_8);
            CsvDialect dialect = dialects[random.nextInt(dialects.length)];
            int columns = 1 + random.nextInt(3);
            String expected = runOrMalformed(PgCsvFeed.filterByteByByte(dialect, columns), in, 1);
            int chunk = 1 + random.nextInt(in.length + 1);
            assertThat(runOrMalformed(PgCsvFeed.filter(dialect, columns), in, chunk))
                    .as("%s, %d columns, chunks of %d: %s", dialect, columns, chunk, b).isEqualTo(expected);
        }
    }

    private static String runOrMalformed(PgCsvFeed feed, byte[] in, int chunk) {
        try {
            return run(feed, in, chunk);
        } catch (PgCsvFeed.Malformed e) {
            return "malformed";
        }
    }

    private static String filter(String csv, int columns) {
        return filter(csv, columns, CsvDialect.RFC);
    }

    /** Filters the whole input at once and byte by byte; both must give the same. */
    private static String filter(String csv, int columns, CsvDialect dialect) {
        byte[] in = csv.getBytes(StandardCharsets.UTF_8);
        String whole = run(PgCsvFeed.filter(dialect, columns), in, in.length);
        assertThat(run(PgCsvFeed.filter(dialect, columns), in, 1)).isEqualTo(whole);
        return whole;
    }

    private static String run(PgCsvFeed feed, byte[] in, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < in.length; i += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(in, i, Math.min(in.length, i + chunk));
            int n = feed.feed(part, part.length);
            out.write(feed.output(), 0, n);
        }
        int n = feed.finish();
        out.write(feed.output(), 0, n);
        return out.toString(StandardCharsets.UTF_8);
    }
}
