package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.csv.CsvDialect;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the tracker sees is what COPY is sent: the files go through {@link PgCsvFeed} first, as in a load. */
class PgKeyTrackerTest {

    private static final CsvDialect BACKSLASH = new CsvDialect(';', '"', '\\');

    @Test
    void sameValuesInOtherSpellingsRepeat() {
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, "id,v\n1,a\n\"1\",b\n")).isTrue();
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, "id,v\n\"a\"\"b\",1\n  \"a\"\"b\"  ,2\n")).isTrue();
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, "id,v\n\"x,y\",1\r\n\"x,y\",2")).isTrue();
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {1}, "v,id\n1,\"two\nlines\"\n2,\"two\nlines\"\n"))
                .isTrue();
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, "id,v\n,1\n\"\",2\n")).isTrue();
        assertThat(repeats(BACKSLASH, 2, false, new int[] {0}, "\"a\\\"b\";1\n  \"a\\\"b\" ;2\n")).isTrue();
        // outside quotes the escape character is an ordinary one
        assertThat(repeats(BACKSLASH, 2, false, new int[] {0}, "\"c\\\\d\";1\nc\\d;2\n")).isTrue();
        // inside them, before another character, it is dropped
        assertThat(repeats(BACKSLASH, 2, false, new int[] {0}, "\"a\\b\";1\nab;2\n")).isTrue();
        // one column: blank lines are empty values
        assertThat(repeats(CsvDialect.RFC, 1, true, new int[] {0}, "id\n\n1\n\n")).isTrue();
    }

    @Test
    void differentValuesDoNotRepeat() {
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, "id,v\n1,a\n\" 1\",b\n1 ,c\n\"1\"\"\",d\n")).isFalse();
        // the key of a compound key is not the fields' concatenation
        assertThat(repeats(CsvDialect.RFC, 3, false, new int[] {0, 1}, "ab,c,1\na,bc,2\n,abc,3\nabc,,4\n")).isFalse();
        // other columns do not count; the header is not a row
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, "id,v\nid,same\n2,same\n")).isFalse();
        assertThat(repeats(BACKSLASH, 2, false, new int[] {0}, "\"a\\\"b\";1\n\"a\\\\b\";2\n\"ab\";3\n")).isFalse();
    }

    @Test
    void repeatsAcrossFilesAndAcrossBufferBoundaries() {
        PgKeyTracker keys = new PgKeyTracker(CsvDialect.RFC, new int[] {0});
        send(keys, CsvDialect.RFC, 2, true, "id,v\n\"a\"\"b\",1\n", 1);
        assertThat(keys.mayRepeat()).isFalse();
        send(keys, CsvDialect.RFC, 2, true, "id,v\n\"a\"\"b\",2", 1);
        assertThat(keys.mayRepeat()).isTrue();
    }

    @Test
    void tenThousandDistinctKeysDoNotRepeat() {
        String csv = IntStream.range(0, 10_000).mapToObj(i -> i + ",x").collect(Collectors.joining("\n", "id,v\n", "\n"));
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, csv)).isFalse();
        assertThat(repeats(CsvDialect.RFC, 2, true, new int[] {0}, csv + "9999,y\n")).isTrue();
    }

    private static boolean repeats(CsvDialect dialect, int columns, boolean header, int[] keyFields, String csv) {
        PgKeyTracker keys = new PgKeyTracker(dialect, keyFields);
        send(keys, dialect, columns, header, csv, 4096);
        boolean bulk = keys.mayRepeat();
        PgKeyTracker byteByByte = new PgKeyTracker(dialect, keyFields);
        send(byteByByte, dialect, columns, header, csv, 1);
        assertThat(byteByByte.mayRepeat()).as("fed one byte at a time").isEqualTo(bulk);
        return bulk;
    }

    private static void send(PgKeyTracker keys, CsvDialect dialect, int columns, boolean header, String csv, int chunk) {
        byte[] in = csv.getBytes(StandardCharsets.UTF_8);
        PgCsvFeed feed = PgCsvFeed.filter(dialect, columns);
        keys.startFile(header);
        for (int i = 0; i < in.length; i += chunk) {
            int n = Math.min(chunk, in.length - i);
            byte[] part = java.util.Arrays.copyOfRange(in, i, i + n);
            int m = feed.feed(part, n);
            keys.feed(feed.output(), 0, m);
        }
        int m = feed.finish();
        keys.feed(feed.output(), 0, m);
        keys.endFile();
    }
}
