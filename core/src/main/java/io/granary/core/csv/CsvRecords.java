package io.granary.core.csv;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the records of one CSV file (plain or gzip, detected from its first bytes) into values, streaming,
 * for engines that must be given values rather than CSV (Trino's own CSV reader splits quoted newlines and
 * accepts broken rows). {@link #open} checks the file by {@link CsvChecker} in the same pass: every byte the
 * parser reads has gone through the checker first, so the first problem is reported exactly as every other
 * backend reports it ({@link CsvScan#invalid}) and the parser here only turns valid text into values:
 * <ul>
 *   <li>a doubled enclosure inside quotes is one; with a separate escape character, that character makes the
 *       next one literal and is dropped;</li>
 *   <li>spaces around a quoted value are dropped;</li>
 *   <li>blank lines are skipped when there are several columns (with one they are empty values); empty fields
 *       after the last expected one are dropped;</li>
 *   <li>records end with LF, CRLF or CR (inside quotes any line end is part of the value); a leading byte
 *       order mark is skipped.</li>
 * </ul>
 * The parser's own checks (field counts, quotes, NUL, UTF-8) stay as a second line: they fail with
 * {@link ErrorCode#INVALID_CSV} too, but the checker has always spoken first.
 */
public final class CsvRecords implements AutoCloseable {

    private static final int EOF = -1;
    private static final int NONE = -2;

    private final Reader in;
    private final char quote;
    private final int escape;
    private final char delimiter;
    private final int columns;
    private final String where;
    private final char[] buffer = new char[1 << 16];
    private int pos;
    private int limit;
    private long line = 1;
    private long recordLine;
    private final StringBuilder field = new StringBuilder();
    private final String[] values;
    private long records;
    private int pending = NONE;
    private boolean started;

    private CsvRecords(Reader in, CsvDialect dialect, int columns, String where) {
        this.in = in;
        this.quote = dialect.enclosure();
        this.escape = dialect.escapedBy() == null || dialect.escapedBy() == dialect.enclosure() ? -1 : dialect.escapedBy();
        this.delimiter = dialect.delimiter();
        this.columns = columns;
        this.where = where;
        this.values = new String[columns];
    }

    /**
     * Opens {@code file} (gzip detected from its first bytes) for records of {@code columns} fields, checked
     * by {@link CsvChecker} as they are read ({@code header}: the first record is the header, to be skipped with
     * {@link #skipHeader}); {@code where} names the file in messages ({@code " (file 2 of 3)"} or {@code ""}).
     */
    public static CsvRecords open(Path file, CsvDialect dialect, int columns, boolean header, String where) {
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream data = new Checked(gzip ? new GZIPInputStream(raw, 1 << 16) : raw,
                    CsvChecker.of(dialect, columns, header), where);
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            return new CsvRecords(new InputStreamReader(data, decoder), dialect, columns, where);
        } catch (ZipException e) {
            throw invalidGzip(where, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** Skips the header record (validated by the caller with {@link io.granary.core.csv.HeaderReader}). */
    public void skipHeader() {
        readRecord(true);
    }

    /**
     * The next record's values (a reused array: copy what you keep), or null at the end of the file.
     *
     * @throws GranaryException {@code INVALID_CSV} for a malformed record
     */
    public String[] next() {
        return readRecord(false) ? values : null;
    }

    /** The 1-based line where the last record returned started. */
    public long recordLine() {
        return recordLine;
    }

    /** How many data records were returned so far. */
    public long records() {
        return records;
    }

    private boolean readRecord(boolean header) {
        int c = pending != NONE ? pending : read();
        pending = NONE;
        if (!started) {
            started = true;
            if (c == '\uFEFF') {
                c = read();
            }
        }
        // blank lines are no record when there are several columns
        while (columns > 1 && (c == '\n' || c == '\r')) {
            c = endOfLine(c);
        }
        if (c == EOF) {
            return false;
        }
        recordLine = line;
        int n = 0;
        while (true) {
            field.setLength(0);
            // spaces before an opening quote are not part of the value
            int spaces = 0;
            while (c == ' ') {
                field.append(' ');
                spaces++;
                c = read();
            }
            if (c == quote) {
                field.setLength(0);
                c = quoted();
                while (c == ' ') {
                    c = read();
                }
                if (c != delimiter && c != '\n' && c != '\r' && c != EOF) {
                    throw invalid(recordLine, "a quoted value is followed by other characters before the delimiter"
                            + " (stray enclosure character)");
                }
            } else {
                while (c != delimiter && c != '\n' && c != '\r' && c != EOF) {
                    field.append((char) c);
                    c = read();
                }
            }
            if (n < columns) {
                values[n] = field.toString();
            } else if (!header && (!field.isEmpty() || spaces > 0)) {
                // a header names the file's columns; the caller picked the ones it loads (HeaderReader)
                n = countRest(c, n);
                throw invalid(recordLine, "expected " + columns + " fields, found " + n);
            }
            n++;
            if (c == delimiter) {
                c = read();
                continue;
            }
            if (c != EOF) {
                // the character after the line end starts the next record
                pending = endOfLine(c);
            }
            break;
        }
        // empty fields after the last expected one were dropped above
        if (n < columns && !header) {
            throw invalid(recordLine, "expected " + columns + " fields, found " + n);
        }
        if (!header) {
            records++;
        }
        return true;
    }

    /** Reads a quoted value from after its opening quote; returns the character after the closing one. */
    private int quoted() {
        while (true) {
            int c = read();
            if (c == EOF) {
                throw invalid(recordLine, "a quoted value is not closed (unterminated quote)");
            }
            if (c == escape) {
                int next = read();
                if (next == EOF) {
                    throw invalid(recordLine, "a quoted value is not closed (unterminated quote)");
                }
                countLine(next);
                field.append((char) next);
            } else if (c == quote) {
                int next = read();
                if (next != quote) {
                    return next;
                }
                field.append(quote);
            } else {
                countLine(c);
                field.append((char) c);
            }
        }
    }

    // a line end inside quotes is part of the value, and the next record's line number moves on
    private void countLine(int c) {
        if (c == '\n') {
            if (field.isEmpty() || field.charAt(field.length() - 1) != '\r') {
                line++;
            }
        } else if (c == '\r') {
            line++;
        }
    }

    /** Counts the fields of the rest of a record that has too many, for the message. */
    private int countRest(int c, int n) {
        int count = n + 1;
        boolean inQuote = false;
        while (c != EOF && (inQuote || (c != '\n' && c != '\r'))) {
            if (c == quote) {
                inQuote = !inQuote;
            } else if (c == delimiter && !inQuote) {
                count++;
            }
            c = read();
        }
        return count;
    }

    /**
     * Consumes a line end ({@code \n}, {@code \r\n} or {@code \r}) starting with {@code c}; returns the next
     * character.
     */
    private int endOfLine(int c) {
        line++;
        int next = read();
        if (c == '\r' && next == '\n') {
            next = read();
        }
        return next;
    }

    private int read() {
        if (pos == limit) {
            try {
                limit = in.read(buffer, 0, buffer.length);
            } catch (CharacterCodingException e) {
                throw invalid(line, "invalid UTF-8 byte sequence (the file must be UTF-8 encoded)");
            } catch (ZipException e) {
                throw invalidGzip(where, e);
            } catch (IOException e) {
                if (e.getCause() instanceof CharacterCodingException) {
                    throw invalid(line, "invalid UTF-8 byte sequence (the file must be UTF-8 encoded)");
                }
                if (e instanceof java.io.EOFException) {
                    throw invalidGzip(where, e);
                }
                throw new UncheckedIOException(e);
            }
            pos = 0;
            if (limit <= 0) {
                limit = 0;
                return EOF;
            }
        }
        char c = buffer[pos++];
        if (c == 0) {
            throw invalid(line, "a NUL character (byte 0x00), which a value cannot hold");
        }
        return c;
    }

    private GranaryException invalid(long at, String text) {
        return new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file" + where + ". Line " + at + ": " + text + ".");
    }

    private static GranaryException invalidGzip(String where, IOException e) {
        String detail = e.getMessage() == null ? "unexpected end of the stream" : e.getMessage();
        return new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file" + where + ". Invalid gzip data (" + detail + ").", e);
    }

    /**
     * The file's bytes on their way to the decoder, fed to a checker first: its first problem fails the read
     * (the parser never sees a byte after it), and the end of the stream finishes the check.
     */
    private static final class Checked extends java.io.FilterInputStream {

        private final CsvChecker checker;
        private final String where;

        Checked(InputStream in, CsvChecker checker, String where) {
            super(in);
            this.checker = checker;
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                CsvChecker.Problem problem = checker.finish();
                if (problem != null) {
                    throw CsvScan.invalid(where, problem);
                }
            } else if (!checker.feed(b, off, off + n)) {
                throw CsvScan.invalid(where, checker.problem());
            }
            return n;
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was written
        }
    }
}
