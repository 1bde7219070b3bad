package io.granary.postgres;

import io.granary.core.csv.CsvDialect;
import java.util.Arrays;

/**
 * The bytes of a CSV file rewritten so that PostgreSQL's {@code COPY ... (FORMAT csv)} reads them as
 * DuckDB's reader (the other backend) reads the original. COPY treats a quote character anywhere as the
 * start or end of quoting and has an end-of-data marker; DuckDB does not. So, field by field:
 * <ul>
 *   <li>a quote inside an unquoted value is a literal character: the value is sent quoted, with its
 *       quotes escaped ({@code 12"} would otherwise open a quote, and {@code a"b"c} become {@code abc});</li>
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
 * next one literal and is dropped, as in DuckDB (COPY keeps it unless a quote or itself follows). In
 * checking mode the same machine finds the first problem of a file with the physical line
 * where its record starts, which COPY reports less precisely: wrong field count, unclosed quote,
 * invalid UTF-8, a NUL byte, mixed line ends.
 */
final class PgCsvFeed {

    /** A problem found in checking mode; {@code line} is 1-based in the file as given. */
    record Problem(long line, String text) {
    }

    /** Text after a closing quote, which DuckDB's strict reader refuses too. */
    static final class Malformed extends RuntimeException {
        private final transient Problem problem;

        Malformed(Problem problem) {
            super(problem.text(), null, false, false);
            this.problem = problem;
        }

        Problem problem() {
            return problem;
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
    private static final int REQUOTED = 7;
    private static final int EXTRA = 8;

    private static final int EXTRA_FIELD_START = 0;
    private static final int EXTRA_IN_QUOTE = 1;
    private static final int EXTRA_CLOSED = 2;
    private static final int EXTRA_SPACES = 3;

    private static final int EOL_NONE = 0;
    private static final int EOL_LF = 1;
    private static final int EOL_CRLF = 2;
    private static final int EOL_CR = 3;

    private static final String UTF8 = "invalid UTF-8 byte sequence (the file must be UTF-8 encoded)";
    private static final String STRAY = "a quoted value is followed by other characters before the delimiter"
            + " (stray enclosure character)";

    private final int quote;
    private final int escape;
    private final int delimiter;
    private final int expectedFields;
    private final boolean dropBlankLines;
    private final boolean guardEndMarker;
    private final boolean checking;
    private final boolean header;
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

    private long line = 1;
    private boolean previousWasCr;
    private long recordLine;
    private long records;
    private int eolType = EOL_NONE;
    private Problem problem;
    private final Utf8Check utf8 = new Utf8Check();

    private PgCsvFeed(CsvDialect dialect, int columns, boolean checking, boolean header, boolean bulk) {
        this.quote = dialect.enclosure() & 0xff;
        this.escape = dialect.escapedBy() == null || dialect.escapedBy() == dialect.enclosure() ? -1
                : dialect.escapedBy() & 0xff;
        this.delimiter = dialect.delimiter() & 0xff;
        this.expectedFields = columns;
        this.dropBlankLines = columns > 1;
        this.guardEndMarker = quote != '\\' && quote != '.' && delimiter != '\\' && delimiter != '.';
        this.checking = checking;
        this.header = header;
        this.bulk = bulk && !checking;
    }

    /** A filter for a load of {@code columns} columns. The dialect's characters must be single bytes. */
    static PgCsvFeed filter(CsvDialect dialect, int columns) {
        return new PgCsvFeed(dialect, columns, false, false, true);
    }

    /** The same filter, one byte at a time: what the bulk copy must be equal to (for tests). */
    static PgCsvFeed filterByteByByte(CsvDialect dialect, int columns) {
        return new PgCsvFeed(dialect, columns, false, false, false);
    }

    /** A checker that finds the first problem of a file; {@code header}: its first record is not data. */
    static PgCsvFeed checker(CsvDialect dialect, int columns, boolean header) {
        return new PgCsvFeed(dialect, columns, true, header, false);
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
        while (i < n && problem == null) {
            int run = bulk ? plainRun(in, i, n) : 0;
            if (run > 0) {
                copy(in, i, run);
                i += run;
                continue;
            }
            int c = in[i++] & 0xff;
            if (checking && !utf8.accept(c)) {
                report(new Problem(line, c == 0 ? "a NUL character (byte 0x00), which PostgreSQL cannot store" : UTF8));
            }
            step(c);
            if (c == '\r' || (c == '\n' && !previousWasCr)) {
                line++;
            }
            previousWasCr = c == '\r';
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
        previousWasCr = false;
        if (state == UNQUOTED) {
            fieldLength += length;
            fieldIsEndMarker = false;
        }
    }

    /** Ends the file; returns how many bytes of {@link #output()} are left to send. */
    int finish() {
        keepUnsent();
        if (problem != null) {
            return 0;
        }
        switch (state) {
            case START_AFTER_CR -> endOfLine(EOL_CR);
            case FIELD_START, AFTER_QUOTE -> endRecord();
            case UNQUOTED -> {
                endUnquoted();
                endRecord();
            }
            case REQUOTED -> {
                emit(quote);
                endRecord();
            }
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
                    endRecord();
                }
            }
            case QUOTED -> report(new Problem(recordLine, "a quoted value is not closed (unterminated quote)"));
            default -> {
            }
        }
        if (!utf8.complete()) {
            report(new Problem(line, UTF8));
        }
        state = START;
        ready = o;
        return o;
    }

    /** The first problem, in checking mode after {@link #finish}; null when the file looks valid. */
    Problem problem() {
        return problem;
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
                if (c == '\n') {
                    endOfLine(EOL_CRLF);
                    put(c);
                    state = START;
                } else {
                    endOfLine(EOL_CR);
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
            case REQUOTED -> requoted(c);
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
        records++;
        fields = 1;
        recordLine = line;
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
            requote();
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

    // an unquoted value met a quote: send it quoted from its start, with the quote as a literal
    private void requote() {
        byte[] value = Arrays.copyOfRange(out, fieldStart, o);
        o = fieldStart;
        emit(quote);
        for (byte b : value) {
            literal(b & 0xff);
        }
        literal(quote);
        state = REQUOTED;
    }

    private void requoted(int c) {
        if (c == delimiter) {
            emit(quote);
            endField(false);
        } else if (c == '\r' || c == '\n') {
            emit(quote);
            endRecord(c);
        } else {
            literal(c);
        }
    }

    /** A character inside quotes that COPY must take literally. */
    private void literal(int c) {
        if (c == quote) {
            emit(escape < 0 ? quote : escape);
        } else if (c == escape) {
            emit(escape);
        }
        emit(c);
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
        Problem p = new Problem(recordLine, STRAY);
        if (!checking) {
            throw new Malformed(p);
        }
        report(p);
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
        if (c == '\n') {
            endOfLine(EOL_LF);
            put(c);
            state = START;
        } else {
            put(c);
            state = START_AFTER_CR;
        }
        endRecord();
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

    // ---- checking

    private void report(Problem p) {
        if (problem == null && checking) {
            problem = p;
        }
    }

    private void endRecord() {
        if (checking && !(header && records == 1) && fields != expectedFields) {
            report(new Problem(recordLine, "expected " + expectedFields + " fields, found " + fields));
        }
    }

    // COPY takes its line end from the first one outside quotes and refuses any other
    private void endOfLine(int type) {
        if (eolType == EOL_NONE) {
            eolType = type;
        } else if (eolType != type) {
            report(new Problem(recordLine, "a line end differs from the first line's (mixed CRLF/LF line ends)"));
        }
    }
}
