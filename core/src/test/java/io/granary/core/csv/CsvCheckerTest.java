package io.granary.core.csv;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.csv.CsvChecker.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsvCheckerTest {

    private static final String QUOTE_IN_UNQUOTED = CsvChecker.quoteInUnquoted('"');

    @Test
    void wellFormedFilesHaveNoProblem() {
        assertThat(check("id,name\n1,a\n2,\"b,c\"\n3,\"say \"\"hi\"\"\"\n4,\"two\nlines\"\n5,\"\"\n6,\n", 2, true)).isNull();
        assertThat(check("id,name\r\n1,\"a\nb\"\r\n2,c\r\n", 2, true)).isNull();
        assertThat(check("id,name\r1,a\r2,b", 2, true)).isNull();
        assertThat(check("1,a", 2, false)).isNull();
        assertThat(check("", 2, false)).isNull();
        assertThat(check("id,name\n1,Příliš 日本語 🚀\n", 2, true)).isNull();
        assertThat(check("\uFEFFid,name\n1,a\n", 2, true)).isNull();
    }

    @Test
    void theTolerancesOfTheFirstBackend() {
        // spaces around an enclosed value
        assertThat(check("a,b\n3, \"x\" \n4,\"y\"  ,\n", 2, true)).isNull();
        // blank lines with several columns; an empty value with one
        assertThat(check("a,b\n\n1,x\n\r\n\n2,y\n", 2, true)).isNull();
        assertThat(check("v\n1\n\n2\n", 1, true)).isNull();
        // empty fields after the last expected one
        assertThat(check("a,b\n1,x,\n2,,,\"\"\n3,\"\", \"\" \n", 2, true)).isNull();
        assertThat(check("a,b\n1,x,y\n", 2, true)).isEqualTo(new Problem(2, "expected 2 fields, found 3"));
        assertThat(check("a,b\n1,x,,\"y\",\n", 2, true)).isEqualTo(new Problem(2, "expected 2 fields, found 5"));
        assertThat(check("a,b\n1,x, \n", 2, true)).isEqualTo(new Problem(2, "expected 2 fields, found 3"));
    }

    @Test
    void anEnclosureInsideAnUnquotedValueIsAnError() {
        assertThat(check("a,b\n1,12\" pizza\n", 2, true)).isEqualTo(new Problem(2, QUOTE_IN_UNQUOTED));
        assertThat(check("a,b\n1,ok\n2,a\"b\"c\n", 2, true)).isEqualTo(new Problem(3, QUOTE_IN_UNQUOTED));
        assertThat(check("a,b\n1,x\"\n", 2, true)).isEqualTo(new Problem(2, QUOTE_IN_UNQUOTED));
        assertThat(QUOTE_IN_UNQUOTED).isEqualTo("an enclosure character (\") inside a value that is not enclosed"
                + " (enclose the value and double the character)");
        // another enclosure makes " ordinary
        assertThat(check("a;b\n1;12\" pizza\n2;'it''s'\n", 2, true, new CsvDialect(';', '\'', null))).isNull();
        assertThat(check("a;b\n1;it's\n", 2, true, new CsvDialect(';', '\'', null)))
                .isEqualTo(new Problem(2, CsvChecker.quoteInUnquoted('\'')));
    }

    @Test
    void textAfterAClosingEnclosureIsAnError() {
        assertThat(check("a,b\n1,\"x\"y\n", 2, true)).isEqualTo(new Problem(2, CsvChecker.STRAY));
        assertThat(check("a,b\n1,\"x\" \"y\"\n", 2, true)).isEqualTo(new Problem(2, CsvChecker.STRAY));
    }

    @Test
    void problemsNameThePhysicalLineWhereTheRecordStarts() {
        assertThat(check("id,name\n1,\"a\nb\"\n2,b,c\n", 2, true)).isEqualTo(new Problem(4, "expected 2 fields, found 3"));
        assertThat(check("id,name\r\n1,\"a\r\nb\"\r\n2\r\n", 2, true)).isEqualTo(new Problem(4, "expected 2 fields, found 1"));
        assertThat(check("id,name\n1,a\n\n\n2\n", 2, true)).isEqualTo(new Problem(5, "expected 2 fields, found 1"));
        assertThat(check("a,b,c\n1,2\n", 2, true)).isNull();
        assertThat(check("a,b,c\n1,2\n", 2, false)).isEqualTo(new Problem(1, "expected 2 fields, found 3"));
        assertThat(check("id,name\n1,\"a\n2,b\n3,c\n", 2, true)).isEqualTo(new Problem(2, CsvChecker.UNTERMINATED));
        assertThat(check("a,b\n1,\"x\ny\\\"\n", 2, true, new CsvDialect(',', '"', '\\')))
                .isEqualTo(new Problem(2, CsvChecker.UNTERMINATED));
        // a lone \. is a one-field record, not the end of the data
        assertThat(check("id,name\n1,a\n\\.\n2,b\n", 2, true)).isEqualTo(new Problem(3, "expected 2 fields, found 1"));
    }

    @Test
    void nulAndInvalidUtf8NameTheirLine() {
        assertThat(check("id,name\n1,a\n2,x\u0000y\n", 2, true)).isEqualTo(new Problem(3, CsvChecker.NUL));
        assertThat(check("id,name\n1,\"a\n\u0000\"\n", 2, true)).isEqualTo(new Problem(3, CsvChecker.NUL));
        byte[] bad = "id,name\n1,ok\n2,x\n".getBytes(StandardCharsets.UTF_8);
        bad[15] = (byte) 0xc3; // a lead byte followed by "\n"
        assertThat(check(bad, 2, true, CsvDialect.RFC, bad.length)).isEqualTo(new Problem(3, CsvChecker.UTF8));
        byte[] cut = "id,name\n1,ž".getBytes(StandardCharsets.UTF_8);
        assertThat(check(java.util.Arrays.copyOf(cut, cut.length - 1), 2, true, CsvDialect.RFC, 1))
                .isEqualTo(new Problem(2, CsvChecker.UTF8));
        byte[] stray = {'a', ',', 'b', '\n', '1', ',', (byte) 0x80, '\n'};
        assertThat(check(stray, 2, true, CsvDialect.RFC, 3)).isEqualTo(new Problem(2, CsvChecker.UTF8));
    }

    @Test
    void mixedLineEndsAreNoProblemAndAreReported() {
        CsvChecker mixed = checker("a,b\n1,x\r\n2,\"y\r\nz\"\n", 2, true, CsvDialect.RFC, 1);
        assertThat(mixed.problem()).isNull();
        assertThat(mixed.mixedLineEnds()).isTrue();
        assertThat(mixed.records()).isEqualTo(2);
        assertThat(checker("a,b\n1,\"x\r\ny\"\n2,z\n", 2, true, CsvDialect.RFC, 4).mixedLineEnds()).isFalse();
        assertThat(checker("a,b\r\n1,\"x\ny\"\r\n", 2, true, CsvDialect.RFC, 4).mixedLineEnds()).isFalse();
        assertThat(checker("a,b\r1,x\n", 2, true, CsvDialect.RFC, 4).mixedLineEnds()).isTrue();
        assertThat(checker("a,b\n1,x\r", 2, true, CsvDialect.RFC, 4).mixedLineEnds()).isTrue();
    }

    @Test
    void aByteOrderMarkIsSkippedOnlyAtTheStart() {
        assertThat(check("\uFEFF\"id\",name\n1,a\n", 2, true)).isNull();
        assertThat(check("id,name\n1,\uFEFFa\n", 2, true)).isNull();
        byte[] partial = {(byte) 0xef, (byte) 0xbb, 'a', '\n'};
        assertThat(check(partial, 1, false, CsvDialect.RFC, 1)).isEqualTo(new Problem(1, CsvChecker.UTF8));
        byte[] ordinary = "\u00e9,b\n".getBytes(StandardCharsets.UTF_8);
        assertThat(check(ordinary, 2, false, CsvDialect.RFC, 1)).isNull();
    }

    @Test
    void anEscapeCharacterMakesTheNextOneLiteral() {
        CsvDialect backslash = new CsvDialect(';', '"', '\\');
        assertThat(check("1;\"a\\\"b;\nc\"\n2;x\\y\n", 2, false, backslash)).isNull();
        assertThat(check("1;\"a\\\\\"\n", 2, false, backslash)).isNull();
    }

    @Test
    void theResultDoesNotDependOnHowTheBytesAreCut() {
        Random random = new Random(7);
        char[] alphabet = {'a', ' ', ',', '"', '\\', '\r', '\n', 'x', '\u00e9', '\u0000'};
        CsvDialect[] dialects = {CsvDialect.RFC, new CsvDialect(',', '"', '\\')};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(30);
            for (int j = 0; j < length; j++) {
                b.append(alphabet[random.nextInt(alphabet.length)]);
            }
            byte[] in = b.toString().getBytes(StandardCharsets.UTF_8);
            CsvDialect dialect = dialects[random.nextInt(dialects.length)];
            int columns = 1 + random.nextInt(3);
            boolean header = random.nextBoolean();
            CsvChecker whole = checker(in, columns, header, dialect, Math.max(1, in.length));
            CsvChecker bytes = checker(in, columns, header, dialect, 1);
            assertThat(bytes.problem()).as(b.toString()).isEqualTo(whole.problem());
            assertThat(bytes.mixedLineEnds()).as(b.toString()).isEqualTo(whole.mixedLineEnds());
            assertThat(bytes.records()).as(b.toString()).isEqualTo(whole.records());
        }
    }

    private static Problem check(String csv, int columns, boolean header) {
        return check(csv, columns, header, CsvDialect.RFC);
    }

    private static Problem check(String csv, int columns, boolean header, CsvDialect dialect) {
        byte[] in = csv.getBytes(StandardCharsets.UTF_8);
        Problem whole = check(in, columns, header, dialect, Math.max(1, in.length));
        assertThat(check(in, columns, header, dialect, 1)).as("byte by byte").isEqualTo(whole);
        return whole;
    }

    private static Problem check(byte[] in, int columns, boolean header, CsvDialect dialect, int chunk) {
        return checker(in, columns, header, dialect, chunk).problem();
    }

    private static CsvChecker checker(String csv, int columns, boolean header, CsvDialect dialect, int chunk) {
        return checker(csv.getBytes(StandardCharsets.UTF_8), columns, header, dialect, chunk);
    }

    private static CsvChecker checker(byte[] in, int columns, boolean header, CsvDialect dialect, int chunk) {
        CsvChecker checker = CsvChecker.of(dialect, columns, header);
        for (int i = 0; i < in.length; i += chunk) {
            checker.feed(in, i, Math.min(in.length, i + chunk));
        }
        checker.finish();
        return checker;
    }
}
