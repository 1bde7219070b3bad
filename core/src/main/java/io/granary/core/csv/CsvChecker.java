package io.granary.core.csv;

/**
 * Finds the first problem of a CSV file by the rules every table backend loads by, reading its bytes
 * once, a buffer at a time. The rules are RFC 4180's with three tolerances kept from the first backend:
 * <ul>
 *   <li>a value is either unquoted (no enclosure character, delimiter or line end in it) or enclosed, with
 *       the enclosure doubled inside (or, with a separate escape character, escaped: that character makes
 *       the next one literal); an enclosure character inside an unquoted value is an error, and so is
 *       other text after a closing enclosure;</li>
 *   <li>spaces between a delimiter and an opening enclosure, or a closing one and the next delimiter, are
 *       not part of the value (the tolerance);</li>
 *   <li>a record ends with LF, CRLF or CR, and records of one file may end differently
 *       ({@link #mixedLineEnds()} tells an engine that must be told);</li>
 *   <li>blank lines are no record when there are several columns (the tolerance); with one column a blank
 *       line is an empty value;</li>
 *   <li>empty fields after the last expected one ({@code 1,a,} or {@code 1,a,""} for two columns) are
 *       dropped (the tolerance); any other difference in the number of fields is an error;</li>
 *   <li>the text is UTF-8 (a byte order mark at the start is skipped) and holds no NUL character.</li>
 * </ul>
 * A problem names the physical line (1-based, as in a text editor) where its record starts, or for a
 * byte that is not text, the line of that byte. The texts are what every backend reports, after
 * {@code "Invalid CSV file[ (file i of n)]. Line N: "}.
 */
public final class CsvChecker {

    /** A problem of a file: the line and what is wrong, e.g. {@code expected 2 fields, found 3}. */
    public record Problem(long line, String text) {
    }

    public static final String UNTERMINATED = "a quoted value is not closed (unterminated quote)";
    public static final String STRAY = "a quoted value is followed by other characters before the delimiter"
            + " (stray enclosure character)";
    public static final String UTF8 = "invalid UTF-8 byte sequence (the file must be UTF-8 encoded)";
    public static final String NUL = "a NUL character (byte 0x00), which CSV text may not contain";

    /** The text for an enclosure character inside a value that is not enclosed. */
    public static String quoteInUnquoted(char enclosure) {
        return "an enclosure character (" + enclosure + ") inside a value that is not enclosed"
                + " (enclose the value and double the character)";
    }

    /** The text for a record with another number of fields than the columns. */
    public static String fieldCount(int expected, long found) {
        return "expected " + expected + " fields, found " + found;
    }

    // byte classes; ORDINARY and SPACE continue an unquoted value
    private static final byte ORDINARY = 0;
    private static final byte SPACE = 1;
    private static final byte DELIMITER = 2;
    private static final byte QUOTE = 3;
    private static final byte CR = 4;
    private static final byte LF = 5;
    private static final byte ESCAPE = 6;
    private static final byte NUL_BYTE = 7;
    private static final byte HIGH = 8;

    // where the reader is
    private static final int RECORD_START = 0;
    private static final int AFTER_CR = 1;
    private static final int FIELD_START = 2;
    private static final int LEADING_SPACES = 3;
    private static final int UNQUOTED = 4;
    private static final int QUOTED = 5;
    private static final int QUOTED_ESCAPE = 6;
    private static final int QUOTE_IN_QUOTED = 7;
    private static final int AFTER_CLOSE = 8;

    private static final int EOL_LF = 1;
    private static final int EOL_CRLF = 2;
    private static final int EOL_CR = 4;

    private static final int[] BOM = {0xef, 0xbb, 0xbf};
    private static final byte[] BOM_BYTES = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

    private final byte[] classes = new byte[256];
    private final char enclosure;
    private final int columns;
    private final boolean header;

    private int state = RECORD_START;
    private long line = 1;
    private boolean previousCr;
    private long recordLine;
    private long records;
    private long fields;
    private boolean fieldHasValue;
    private boolean extraHasValue;
    private int lineEnds;
    private int bomSeen;
    private Problem problem;
    private final Utf8Check utf8 = new Utf8Check();

    private CsvChecker(CsvDialect dialect, int columns, boolean header) {
        this.enclosure = dialect.enclosure();
        this.columns = columns;
        this.header = header;
        classes[' '] = SPACE;
        classes['\r'] = CR;
        classes['\n'] = LF;
        classes[0] = NUL_BYTE;
        for (int b = 0x80; b < 0x100; b++) {
            classes[b] = HIGH;
        }
        if (dialect.escapedBy() != null && dialect.escapedBy() != dialect.enclosure()) {
            classes[dialect.escapedBy() & 0xff] = ESCAPE;
        }
        classes[dialect.delimiter() & 0xff] = DELIMITER;
        classes[dialect.enclosure() & 0xff] = QUOTE;
    }

    /**
     * A checker of a file whose records have {@code columns} fields; {@code header}: the first record is
     * the header (read by {@link HeaderReader}), whose number of fields is not checked. The dialect's
     * characters must be single bytes.
     */
    public static CsvChecker of(CsvDialect dialect, int columns, boolean header) {
        return new CsvChecker(dialect, columns, header);
    }

    /** Checks {@code bytes[from, to)}; false once a problem is found (more bytes change nothing then). */
    public boolean feed(byte[] bytes, int from, int to) {
        int i = from;
        while (bomSeen < BOM.length && i < to && problem == null) {
            if ((bytes[i] & 0xff) != BOM[bomSeen]) {
                // not a byte order mark after all: what matched of it is text
                int matched = bomSeen;
                bomSeen = BOM.length;
                body(BOM_BYTES, 0, matched);
                break;
            }
            bomSeen++;
            i++;
        }
        return body(bytes, i, to);
    }

    private boolean body(byte[] bytes, int from, int to) {
        if (problem != null) {
            return false;
        }
        int i = from;
        byte[] cls = classes;
        int s = state;
        while (i < to) {
            if (!utf8.complete()) {
                // the rest of a character that began in the previous buffer
                if (!utf8.accept(bytes[i++] & 0xff)) {
                    report(line, UTF8);
                    break;
                }
                continue;
            }
            // the runs that make up most of a file: ordinary bytes of a value
            if (s == UNQUOTED) {
                while (i < to && cls[bytes[i] & 0xff] <= SPACE) {
                    i++;
                }
                if (i == to) {
                    break;
                }
            } else if (s == QUOTED) {
                int run = i;
                while (i < to && cls[bytes[i] & 0xff] <= DELIMITER) {
                    i++;
                }
                if (i > run) {
                    fieldHasValue = true;
                }
                if (i == to) {
                    break;
                }
            }
            int b = bytes[i++] & 0xff;
            int c = cls[b];
            if (c >= NUL_BYTE) {
                if (b == 0) {
                    report(line, NUL);
                    break;
                }
                if (!utf8.accept(b)) {
                    report(line, UTF8);
                    break;
                }
                while (!utf8.complete() && i < to) {
                    if (!utf8.accept(bytes[i++] & 0xff)) {
                        report(line, UTF8);
                        break;
                    }
                }
                c = ORDINARY;
            }
            s = step(s, c);
            if (problem != null) {
                break;
            }
        }
        state = s;
        return problem == null;
    }

    /** Ends the file; returns its first problem, or null when it has none. */
    public Problem finish() {
        if (problem != null) {
            return problem;
        }
        switch (state) {
            case AFTER_CR -> lineEnds |= EOL_CR;
            case QUOTED, QUOTED_ESCAPE -> report(recordLine, UNTERMINATED);
            case FIELD_START, LEADING_SPACES, UNQUOTED, QUOTE_IN_QUOTED, AFTER_CLOSE -> endRecord();
            default -> {
            }
        }
        if (problem == null && !utf8.complete()) {
            report(line, UTF8);
        }
        state = RECORD_START;
        return problem;
    }

    /** The first problem found so far; null when none. */
    public Problem problem() {
        return problem;
    }

    /** Whether the records outside quotes end in more than one way (LF, CRLF, CR). */
    public boolean mixedLineEnds() {
        return Integer.bitCount(lineEnds) > 1;
    }

    /** How many data records (not the header, not blank lines) were read so far. */
    public long records() {
        return records - (header && records > 0 ? 1 : 0);
    }

    private int step(int s, int c) {
        if (c == LF) {
            if (!previousCr) {
                line++;
            }
            previousCr = false;
        } else if (c == CR) {
            line++;
            previousCr = true;
        } else {
            previousCr = false;
        }
        switch (s) {
            case AFTER_CR:
                if (c == LF) {
                    lineEnds |= EOL_CRLF;
                    return RECORD_START;
                }
                lineEnds |= EOL_CR;
                return recordStart(c);
            case RECORD_START:
                return recordStart(c);
            case FIELD_START:
                return fieldStart(c);
            case LEADING_SPACES:
                if (c == SPACE) {
                    return LEADING_SPACES;
                }
                if (c == QUOTE) {
                    fieldHasValue = false;
                    return QUOTED;
                }
                return unquoted(c);
            case UNQUOTED:
                return unquoted(c);
            case QUOTED:
                if (c == QUOTE) {
                    return QUOTE_IN_QUOTED;
                }
                fieldHasValue = true;
                return c == ESCAPE ? QUOTED_ESCAPE : QUOTED;
            case QUOTED_ESCAPE:
                return QUOTED;
            case QUOTE_IN_QUOTED:
                if (c == QUOTE) {
                    fieldHasValue = true; // a doubled enclosure: one in the value
                    return QUOTED;
                }
                return afterClose(c);
            default:
                return afterClose(c);
        }
    }

    private int recordStart(int c) {
        if (c == CR || c == LF) {
            if (columns > 1) {
                return lineEnd(c); // a blank line is no record
            }
        }
        records++;
        recordLine = c == CR || c == LF ? line - 1 : line;
        fields = 1;
        extraHasValue = false;
        return fieldStart(c);
    }

    private int fieldStart(int c) {
        fieldHasValue = false;
        switch (c) {
            case DELIMITER:
                return endField();
            case CR, LF:
                return endRecordAt(c);
            case QUOTE:
                return QUOTED;
            case SPACE:
                fieldHasValue = true;
                return LEADING_SPACES;
            default:
                fieldHasValue = true;
                return UNQUOTED;
        }
    }

    private int unquoted(int c) {
        switch (c) {
            case DELIMITER:
                return endField();
            case CR, LF:
                return endRecordAt(c);
            case QUOTE:
                report(recordLine, quoteInUnquoted(enclosure));
                return UNQUOTED;
            default:
                fieldHasValue = true;
                return UNQUOTED;
        }
    }

    private int afterClose(int c) {
        switch (c) {
            case SPACE:
                return AFTER_CLOSE;
            case DELIMITER:
                return endField();
            case CR, LF:
                return endRecordAt(c);
            default:
                report(recordLine, STRAY);
                return AFTER_CLOSE;
        }
    }

    private int endField() {
        if (fields > columns && fieldHasValue) {
            extraHasValue = true;
        }
        fields++;
        return FIELD_START;
    }

    private int endRecordAt(int c) {
        endRecord();
        return lineEnd(c);
    }

    private int lineEnd(int c) {
        if (c == CR) {
            return AFTER_CR;
        }
        lineEnds |= EOL_LF;
        return RECORD_START;
    }

    private void endRecord() {
        if (fields > columns && fieldHasValue) {
            extraHasValue = true;
        }
        boolean isHeader = header && records == 1;
        if (!isHeader && (fields < columns || extraHasValue)) {
            report(recordLine, fieldCount(columns, fields));
        }
    }

    private void report(long at, String text) {
        if (problem == null) {
            problem = new Problem(at, text);
        }
    }
}
