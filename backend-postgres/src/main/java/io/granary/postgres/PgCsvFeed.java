package io.granary.postgres;

import io.granary.core.csv.CsvDialect;
import java.util.Arrays;

/**
 * The bytes of a CSV file rewritten so that PostgreSQL's {@code COPY ... (FORMAT csv)} reads them as
 * the other backends read the original, by {@link io.granary.core.csv.CsvChecker}'s rules. COPY has an
 * end-of-data marker and one line end per file; the rules have neither. So, field by field:
 * <ul>
 *   <li>spaces between a delimiter and an opening quote, or a closing quote and the next delimiter, are
 *       dropped; any other text after a closing quote is an error ({@link Malformed});</li>
 *   <li>blank lines are dropped when there are several columns (COPY would fail with "missing data");
 *       with one column a blank line is an empty value in both;</li>
 *   <li>empty fields after the last expected one ({@code 1,a,} or {@code 1,a,"",} for two columns) are
 *       dropped (COPY would fail with "extra data");</li>
 *   <li>a record that is just {@code \.} is sent quoted: COPY would take it for its end-of-data marker
 *       and silently ignore the rest of the file.</li>
 * </ul>
 * Inside quotes a doubled quote is a quote; with a separate escape character, that character makes the
 * next one literal and is dropped, as in DuckDB (COPY keeps it unless a quote or itself follows). Every
 * record ends in LF, whatever it ended in (COPY refuses a file whose records end in different ways).
 * The file's problems are the checker's to find, which reads the same bytes first; this filter only
 * assumes them absent (a quote inside an unquoted value, text after a closing quote: {@link Malformed}).
 */
final class PgCsvFeed {

    /** Text after a closing quote or a quote inside an unquoted value, which the checker refuses first. */
    static final class Malformed extends RuntimeException {
        Malformed() {
            super("a quoted value is followed by other characters before the delimiter", null, false, false);
        }
    }

    // where the machine is in a record
    private static final int START = 0;
    private static final int START_AFTER_CR = 1;
    private static final int BLANK_CR = 2;
    private static final int FIELD_START = 3;
    private static final int UNQUOTED = 4;
    private static final int QUOTED = 5;
    private static final int AFTER_QUOTE = 6;
    private static final int EXTRA = 7;

    private static final int EXTRA_FIELD_START = 0;
    private static final int EXTRA_IN_QUOTE = 1;
    private static final int EXTRA_CLOSED = 2;
    private static final int EXTRA_SPACES = 3;

    private final int quote;
    private final int escape;
    private final int delimiter;
    private final int expectedFields;
    private final boolean dropBlankLines;
    private final boolean guardEndMarker;
    private final boolean bulk;

    private int state = START;
    private int fields;
    // COPY's view of the bytes sent: inside quotes, and whether the last byte was an escape
    private boolean inQuote;
    private boolean lastWasEscape;

    private byte[] out = new byte[1 << 17];
    private int o;
    private int ready;
    private int fieldStart;
    private boolean fieldAllSpaces;
    private int fieldLength;
    private boolean fieldIsEndMarker;
    private int pendingSpaces;
    private boolean escapePending;

    private int extraState;
    // the record so far is one empty unquoted field, which must still make a row if the file ends here
    private boolean extraAfterEmptyRecord;
    private byte[] held = new byte[64];
    private int heldLength;

    private PgCsvFeed(CsvDialect dialect, int columns, boolean bulk) {
        this.quote = dialect.enclosure() & 0xff;
        this.escape = dialect.escapedBy() == null || dialect.escapedBy() == dialect.enclosure() ? -1
                : dialect.escapedBy() & 0xff;
        this.delimiter = dialect.delimiter() & 0xff;
        this.expectedFields = columns;
        this.dropBlankLines = columns > 1;
        this.guardEndMarker = quote != '\\' && quote != '.' && delimiter != '\\' && delimiter != '.';
        this.bulk = bulk;
    }

    /** A filter for a load of {@code columns} columns. The dialect's characters must be single bytes. */
    static PgCsvFeed filter(CsvDialect dialect, int columns) {
        return new PgCsvFeed(dialect, columns, true);
    }

    /** The same filter, one byte at a time: what the bulk copy must be equal to (for tests). */
    static PgCsvFeed filterByteByByte(CsvDialect dialect, int columns) {
        return new PgCsvFeed(dialect, columns, false);
    }

    /** The bytes to send after the last {@link #feed} or {@link #finish}, from index 0. */
    byte[] output() {
        return out;
    }

    /**
     * Filters {@code in[0, n)}; returns how many bytes of {@link #output()} are ready to send. An unquoted
     * value that is not complete yet is kept back, as a quote later in it changes how it is sent.
     */
    int feed(byte[] in, int n) {
        keepUnsent();
        int i = 0;
        while (i < n) {
            int run = bulk ? plainRun(in, i, n) : 0;
            if (run > 0) {
                copy(in, i, run);
                i += run;
                continue;
            }
            step(in[i++] & 0xff);
        }
        ready = state == UNQUOTED ? fieldStart : o;
        return ready;
    }

    /**
     * How many bytes from {@code i} on are ordinary characters of the current value, which {@link #step}
     * would copy one by one without changing any state: most of a file, so they are copied in bulk.
     */
    private int plainRun(byte[] in, int i, int n) {
        int j = i;
        if (state == QUOTED && !escapePending) {
            while (j < n) {
                int c = in[j] & 0xff;
                if (c == quote || c == escape || c == '\r' || c == '\n') {
                    break;
                }
                j++;
            }
        } else if (state == UNQUOTED && fieldLength >= 2) {
            while (j < n) {
                int c = in[j] & 0xff;
                if (c == delimiter || c == quote || c == '\r' || c == '\n' || (fieldAllSpaces && c != ' ')) {
                    break;
                }
                j++;
            }
        }
        return j - i;
    }

    private void copy(byte[] in, int from, int length) {
        if (o + length > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, o + length));
        }
        System.arraycopy(in, from, out, o, length);
        o += length;
        lastWasEscape = false;
        if (state == UNQUOTED) {
            fieldLength += length;
            fieldIsEndMarker = false;
        }
    }

    /** Ends the file; returns how many bytes of {@link #output()} are left to send. */
    int finish() {
        keepUnsent();
        switch (state) {
            case UNQUOTED -> endUnquoted();
            case EXTRA -> {
                if (extraState == EXTRA_IN_QUOTE || extraState == EXTRA_SPACES) {
                    // not empty fields after all: the file ends in the state the flushed bytes leave
                    flushHeld();
                    return finish();
                } else {
                    if (extraAfterEmptyRecord) {
                        // without a line end COPY would not see an empty record at all
                        put(quote);
                        put(quote);
                    }
                }
            }
            default -> {
            }
        }
        state = START;
        ready = o;
        return o;
    }

    private void keepUnsent() {
        int kept = o - ready;
        System.arraycopy(out, ready, out, 0, kept);
        fieldStart -= ready;
        o = kept;
        ready = 0;
    }

    private void step(int c) {
        switch (state) {
            case START_AFTER_CR -> {
                // the CR was sent as LF
                state = START;
                if (c != '\n') {
                    atRecordStart(c);
                }
            }
            case START -> atRecordStart(c);
            case BLANK_CR -> {
                state = START;
                if (c != '\n') {
                    atRecordStart(c);
                }
            }
            case FIELD_START -> atFieldStart(c);
            case UNQUOTED -> unquoted(c);
            case QUOTED -> quoted(c);
            case AFTER_QUOTE -> afterQuote(c);
            default -> extra(c);
        }
    }

    // COPY keeps an escape character that is not before a quote or another escape; DuckDB drops it
    private void quoted(int c) {
        if (escapePending) {
            escapePending = false;
            if (c == quote || c == escape) {
                emit(escape);
            }
            emit(c);
        } else if (c == escape) {
            escapePending = true;
        } else {
            emit(c);
            if (!inQuote) {
                state = AFTER_QUOTE;
                pendingSpaces = 0;
            }
        }
    }

    private void atRecordStart(int c) {
        if (dropBlankLines && c == '\n') {
            return;
        }
        if (dropBlankLines && c == '\r') {
            state = BLANK_CR;
            return;
        }
        fields = 1;
        atFieldStart(c);
    }

    private void atFieldStart(int c) {
        if (c == delimiter) {
            endField(fields == 1);
        } else if (c == '\r' || c == '\n') {
            endRecord(c);
        } else if (c == quote) {
            emit(c);
            state = QUOTED;
        } else {
            state = UNQUOTED;
            fieldStart = o;
            fieldLength = 0;
            fieldAllSpaces = true;
            fieldIsEndMarker = false;
            unquoted(c);
        }
    }

    private void unquoted(int c) {
        if (c == delimiter) {
            endUnquoted();
            endField(false);
        } else if (c == '\r' || c == '\n') {
            endUnquoted();
            endRecord(c);
        } else if (c == quote && fieldAllSpaces) {
            // spaces before an opening quote are not part of the value
            o = fieldStart;
            emit(c);
            state = QUOTED;
        } else if (c == quote) {
            throw new Malformed(); // the checker refuses it first
        } else {
            fieldIsEndMarker = fields == 1 && (fieldLength == 0 ? c == '\\' : fieldLength == 1 && fieldIsEndMarker && c == '.');
            fieldAllSpaces &= c == ' ';
            fieldLength++;
            put(c);
        }
    }

    private void endUnquoted() {
        if (guardEndMarker && fieldIsEndMarker && fieldLength == 2) {
            o = fieldStart;
            put(quote);
            put('\\');
            put('.');
            put(quote);
        }
        state = FIELD_START;
    }

    private void afterQuote(int c) {
        if (c == quote) {
            // a doubled quote inside the value (or COPY's reopening of quotes)
            if (pendingSpaces > 0) {
                stray();
                return;
            }
            emit(c);
            state = QUOTED;
        } else if (c == ' ') {
            pendingSpaces++;
        } else if (c == delimiter) {
            endField(false);
        } else if (c == '\r' || c == '\n') {
            endRecord(c);
        } else {
            stray();
        }
    }

    private void stray() {
        throw new Malformed();
    }

    /**
     * A delimiter ended a field; after the last expected one it is held back while only empty fields follow.
     * {@code emptyRecord}: the record so far is one empty unquoted field.
     */
    private void endField(boolean emptyRecord) {
        if (fields == expectedFields) {
            extraAfterEmptyRecord = emptyRecord;
            state = EXTRA;
            extraState = EXTRA_FIELD_START;
            heldLength = 0;
            hold(delimiter);
            return;
        }
        emit(delimiter);
        fields++;
        state = FIELD_START;
    }

    private void endRecord(int c) {
        put('\n');
        state = c == '\n' ? START : START_AFTER_CR;
    }

    private void extra(int c) {
        boolean lineEnd = c == '\r' || c == '\n';
        switch (extraState) {
            case EXTRA_FIELD_START -> {
                if (c == delimiter) {
                    hold(c);
                    return;
                }
                if (c == quote) {
                    hold(c);
                    extraState = EXTRA_IN_QUOTE;
                    return;
                }
                if (c == ' ') {
                    hold(c);
                    extraState = EXTRA_SPACES;
                    return;
                }
            }
            case EXTRA_SPACES -> {
                // spaces count as empty only before an empty quoted value
                if (c == ' ' || c == quote) {
                    hold(c);
                    extraState = c == quote ? EXTRA_IN_QUOTE : EXTRA_SPACES;
                    return;
                }
                lineEnd = false;
            }
            case EXTRA_IN_QUOTE -> {
                if (c == quote) {
                    hold(c);
                    extraState = EXTRA_CLOSED;
                    return;
                }
                lineEnd = false;
            }
            default -> {
                if (c == delimiter) {
                    hold(c);
                    extraState = EXTRA_FIELD_START;
                    return;
                }
                if (c == ' ') {
                    hold(c);
                    return;
                }
            }
        }
        if (lineEnd) {
            endRecord(c);
            return;
        }
        flushHeld();
        step(c);
    }

    private void hold(int c) {
        if (heldLength == held.length) {
            held = Arrays.copyOf(held, held.length * 2);
        }
        held[heldLength++] = (byte) c;
    }

    /** Sends the held bytes after all (something other than empty fields followed): COPY will name the extra data. */
    private void flushHeld() {
        int n = heldLength;
        heldLength = 0;
        emit(delimiter);
        fields++;
        state = FIELD_START;
        for (int i = 1; i < n; i++) {
            step(held[i] & 0xff);
        }
    }

    /** Writes a byte and follows COPY's quoting state, as COPY's line reader does. */
    private void emit(int c) {
        put(c);
        if (inQuote && c == escape) {
            lastWasEscape = !lastWasEscape;
        }
        if (c == quote && !lastWasEscape) {
            inQuote = !inQuote;
        }
        if (c != escape) {
            lastWasEscape = false;
        }
    }

    private void put(int c) {
        if (o == out.length) {
            out = Arrays.copyOf(out, out.length * 2);
        }
        out[o++] = (byte) c;
    }
}
