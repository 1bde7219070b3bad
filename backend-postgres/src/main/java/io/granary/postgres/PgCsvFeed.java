package io.granary.postgres;

import io.granary.core.csv.CsvDialect;
import java.util.Arrays;

/**
 * The bytes of a CSV file as PostgreSQL's {@code COPY ... (FORMAT csv)} should read them. It follows
 * COPY's own line reader (a quote character toggles quoting anywhere; with a separate escape character,
 * only an escape inside quotes before a quote or escape counts) and changes two things:
 * <ul>
 *   <li>blank lines are dropped when there are several columns, as DuckDB's reader does (COPY would
 *       fail with "missing data"); with one column a blank line is an empty value in both;</li>
 *   <li>empty fields after the last expected one ({@code 1,a,} or {@code 1,a,"",} for two columns) are
 *       dropped, as DuckDB's reader ignores them (COPY would fail with "extra data");</li>
 *   <li>a record that is just {@code \.} is sent quoted: COPY would take it for its end-of-data marker
 *       and silently ignore the rest of the file.</li>
 * </ul>
 * In checking mode it also finds the first problem of the file (with its physical line), which COPY
 * reports less precisely: wrong field count, unclosed quote, invalid UTF-8, mixed line ends.
 */
final class PgCsvFeed {

    /** A problem found in checking mode; {@code line} is 1-based in the file as given. */
    record Problem(long line, String text) {
    }

    private static final int START = 0;
    private static final int START_AFTER_CR = 1;
    private static final int BLANK_CR = 2;
    private static final int BACKSLASH = 3;
    private static final int BACKSLASH_DOT = 4;
    private static final int IN_RECORD = 5;
    /** After the last expected field: held back while only empty fields follow. */
    private static final int EXTRA = 6;

    private static final int EXTRA_FIELD_START = 0;
    private static final int EXTRA_IN_QUOTE = 1;
    private static final int EXTRA_CLOSED = 2;

    private static final int EOL_NONE = 0;
    private static final int EOL_LF = 1;
    private static final int EOL_CRLF = 2;
    private static final int EOL_CR = 3;

    private final int quote;
    private final int escape;
    private final int delimiter;
    private final boolean dropBlankLines;
    private final boolean guardEndMarker;

    private int state = START;
    private boolean inQuote;
    private boolean lastWasEscape;
    private int fields;
    private int extraState;
    private byte[] held = new byte[64];
    private byte[] out = new byte[1 << 17];
    private int heldLength;

    private final boolean checking;
    private final boolean header;
    private final int expectedFields;
    private Problem problem;
    private long line = 1;
    private boolean previousWasCr;
    private long recordLine;
    private long records;
    private int eolType = EOL_NONE;
    private int utf8Needed;
    private int utf8Low;
    private int utf8High;

    private PgCsvFeed(CsvDialect dialect, int columns, boolean checking, boolean header) {
        this.quote = dialect.enclosure() & 0xff;
        this.escape = dialect.escapedBy() == null || dialect.escapedBy() == dialect.enclosure() ? -1
                : dialect.escapedBy() & 0xff;
        this.delimiter = dialect.delimiter() & 0xff;
        this.dropBlankLines = columns > 1;
        this.guardEndMarker = quote != '\\' && quote != '.' && delimiter != '\\' && delimiter != '.';
        this.checking = checking;
        this.header = header;
        this.expectedFields = columns;
    }

    /** A filter for a load of {@code columns} columns. The dialect's characters must be single bytes. */
    static PgCsvFeed filter(CsvDialect dialect, int columns) {
        return new PgCsvFeed(dialect, columns, false, false);
    }

    /** A checker that finds the first problem COPY would meet. */
    static PgCsvFeed checker(CsvDialect dialect, int columns, boolean header) {
        return new PgCsvFeed(dialect, columns, true, header);
    }

    /** The filtered bytes of the last {@link #feed} or {@link #finish}, from index 0. */
    byte[] output() {
        return out;
    }

    /** Filters {@code in[0, n)} into {@link #output()}; returns how many bytes are there. */
    int feed(byte[] in, int n) {
        int o = 0;
        for (int i = 0; i < n; i++) {
            int c = in[i] & 0xff;
            if (checking) {
                if (problem != null) {
                    return 0;
                }
                checkUtf8(c);
            }
            o = step(c, o);
            if (checking) {
                countLine(c);
            }
        }
        return o;
    }

    /** Writes what is still held at the end of the file into {@link #output()}; returns how many bytes. */
    int finish() {
        int o = 0;
        boolean open = state == IN_RECORD || state == BACKSLASH || state == BACKSLASH_DOT || state == EXTRA;
        switch (state) {
            case BACKSLASH -> o = emit('\\', o);
            case BACKSLASH_DOT -> o = quotedEndMarker(o);
            case START_AFTER_CR -> endOfLine(EOL_CR);
            case EXTRA -> {
                if (extraState == EXTRA_IN_QUOTE) {
                    o = flushHeld(o);
                }
            }
            default -> {
            }
        }
        if (checking && problem == null) {
            if (utf8Needed > 0) {
                problem = new Problem(line, UTF8);
            } else if (open) {
                if (inQuote) {
                    problem = new Problem(recordLine, "a quoted value is not closed (unterminated quote)");
                } else {
                    endRecord();
                }
            }
        }
        state = START;
        return o;
    }

    /** The first problem, in checking mode after {@link #finish}; null when the file looks valid. */
    Problem problem() {
        return problem;
    }

    private int step(int c, int o) {
        switch (state) {
            case START_AFTER_CR:
                if (c == '\n') {
                    endOfLine(EOL_CRLF);
                    state = START;
                    return put(c, o);
                }
                endOfLine(EOL_CR);
                return atStart(c, o);
            case START:
                return atStart(c, o);
            case BLANK_CR:
                state = START;
                return c == '\n' ? o : atStart(c, o);
            case BACKSLASH:
                if (c == '.') {
                    state = BACKSLASH_DOT;
                    return o;
                }
                state = IN_RECORD;
                o = emit('\\', o);
                return inRecord(c, o);
            case BACKSLASH_DOT:
                state = IN_RECORD;
                if (c == '\r' || c == '\n') {
                    o = quotedEndMarker(o);
                } else {
                    o = emit('\\', o);
                    o = emit('.', o);
                }
                return inRecord(c, o);
            case EXTRA:
                return extra(c, o);
            default:
                return inRecord(c, o);
        }
    }

    private int inRecord(int c, int o) {
        if (!inQuote && c == delimiter && fields == expectedFields) {
            state = EXTRA;
            extraState = EXTRA_FIELD_START;
            heldLength = 0;
            hold(c);
            return o;
        }
        return emit(c, o);
    }

    // only delimiters and empty quoted values may follow the last field; a line end drops them
    private int extra(int c, int o) {
        boolean lineEnd = c == '\r' || c == '\n';
        switch (extraState) {
            case EXTRA_FIELD_START -> {
                if (c == delimiter) {
                    hold(c);
                    return o;
                }
                if (c == quote) {
                    hold(c);
                    extraState = EXTRA_IN_QUOTE;
                    return o;
                }
            }
            case EXTRA_IN_QUOTE -> {
                if (c == quote) {
                    hold(c);
                    extraState = EXTRA_CLOSED;
                    return o;
                }
                lineEnd = false;
            }
            default -> {
                if (c == delimiter) {
                    hold(c);
                    extraState = EXTRA_FIELD_START;
                    return o;
                }
            }
        }
        if (lineEnd) {
            state = IN_RECORD;
            return emit(c, o);
        }
        o = flushHeld(o);
        return emit(c, o);
    }

    private void hold(int c) {
        if (heldLength == held.length) {
            held = Arrays.copyOf(held, held.length * 2);
        }
        held[heldLength++] = (byte) c;
    }

    /** Sends the held bytes after all (a non-empty field followed): COPY will name the extra data. */
    private int flushHeld(int o) {
        state = IN_RECORD;
        for (int i = 0; i < heldLength; i++) {
            o = emit(held[i] & 0xff, o);
        }
        heldLength = 0;
        return o;
    }

    private int atStart(int c, int o) {
        if (dropBlankLines && c == '\n') {
            return o;
        }
        if (dropBlankLines && c == '\r') {
            state = BLANK_CR;
            return o;
        }
        beginRecord();
        if (guardEndMarker && c == '\\') {
            state = BACKSLASH;
            return o;
        }
        state = IN_RECORD;
        return inRecord(c, o);
    }

    private int quotedEndMarker(int o) {
        o = put(quote, o);
        o = put('\\', o);
        o = put('.', o);
        return put(quote, o);
    }

    /** Writes a byte of a record and follows COPY's quoting state. */
    private int emit(int c, int o) {
        o = put(c, o);
        if (inQuote && c == escape) {
            lastWasEscape = !lastWasEscape;
        }
        if (c == quote && !lastWasEscape) {
            inQuote = !inQuote;
        }
        if (c != escape) {
            lastWasEscape = false;
        }
        if (!inQuote) {
            if (c == '\n') {
                endOfLine(EOL_LF);
                endRecord();
                state = START;
            } else if (c == '\r') {
                endRecord();
                state = START_AFTER_CR;
            } else if (c == delimiter) {
                fields++;
            }
        }
        return o;
    }

    private int put(int c, int o) {
        if (!checking) {
            if (o == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[o] = (byte) c;
        }
        return o + 1;
    }

    // ---- checking

    private static final String UTF8 = "invalid UTF-8 byte sequence (the file must be UTF-8 encoded)";

    private void beginRecord() {
        records++;
        fields = 1;
        recordLine = line;
    }

    private void endRecord() {
        if (checking && problem == null && !(header && records == 1) && fields != expectedFields) {
            problem = new Problem(recordLine, "expected " + expectedFields + " fields, found " + fields);
        }
    }

    // COPY takes its line end from the first one outside quotes and refuses any other
    private void endOfLine(int type) {
        if (!checking || problem != null) {
            return;
        }
        if (eolType == EOL_NONE) {
            eolType = type;
        } else if (eolType != type) {
            problem = new Problem(recordLine, "a line end differs from the first line's (mixed CRLF/LF line ends)");
        }
    }

    private void countLine(int c) {
        if (c == '\r' || (c == '\n' && !previousWasCr)) {
            line++;
        }
        previousWasCr = c == '\r';
    }

    private void checkUtf8(int c) {
        if (utf8Needed > 0) {
            if (c < utf8Low || c > utf8High) {
                problem = new Problem(line, UTF8);
            }
            utf8Needed--;
            utf8Low = 0x80;
            utf8High = 0xbf;
            return;
        }
        if (c == 0) {
            problem = new Problem(line, "a NUL character (byte 0x00), which PostgreSQL cannot store");
        } else if (c >= 0x80) {
            utf8Low = 0x80;
            utf8High = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                utf8Needed = 1;
            } else if (c == 0xe0) {
                utf8Needed = 2;
                utf8Low = 0xa0;
            } else if (c == 0xed) {
                utf8Needed = 2;
                utf8High = 0x9f;
            } else if (c >= 0xe1 && c <= 0xef) {
                utf8Needed = 2;
            } else if (c == 0xf0) {
                utf8Needed = 3;
                utf8Low = 0x90;
            } else if (c >= 0xf1 && c <= 0xf3) {
                utf8Needed = 3;
            } else if (c == 0xf4) {
                utf8Needed = 3;
                utf8High = 0x8f;
            } else {
                problem = new Problem(line, UTF8);
            }
        }
    }
}
