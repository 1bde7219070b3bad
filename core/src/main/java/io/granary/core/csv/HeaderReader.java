package io.granary.core.csv;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads the header record of a CSV file (plain or gzip) without reading further than it. */
public final class HeaderReader {

    private static final int MAX_HEADER_CHARS = 1 << 20;

    private HeaderReader() {
    }

    /** Whether the file starts with the gzip magic bytes. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** The fields of the first record; an empty list for an empty file. */
    public static List<String> read(Path file, CsvDialect dialect) {
        return first(file, dialect).fields();
    }

    /**
     * How the first record ends outside quotes: {@code "\n"}, {@code "\r\n"}, {@code "\r"}, or null when the
     * file is one record without a line end. Engines that guess the line ending from the first line end
     * they see (even inside quotes) can be told the real one.
     */
    public static String lineEnding(Path file, CsvDialect dialect) {
        return first(file, dialect).lineEnding();
    }

    private record FirstRecord(List<String> fields, String lineEnding) {
    }

    private static FirstRecord first(Path file, CsvDialect dialect) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            InputStream in = isGzip(file) ? new GZIPInputStream(raw) : raw;
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            return firstRecord(new PushbackReader(new InputStreamReader(in, decoder), 1), dialect);
        } catch (ZipException e) {
            throw new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file. Invalid gzip data (" + e.getMessage() + ").");
        } catch (CharacterCodingException e) {
            throw new GranaryException(ErrorCode.INVALID_CSV, "The CSV header is not valid UTF-8.");
        } catch (IOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new GranaryException(ErrorCode.INVALID_CSV, "The CSV header is not valid UTF-8.");
            }
            throw new GranaryException(ErrorCode.INVALID_CSV, "Cannot read the CSV header: " + e.getMessage(), e);
        }
    }

    private static FirstRecord firstRecord(PushbackReader r, CsvDialect d) throws IOException {
        String lineEnding = null;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        boolean any = false;
        int read = 0;
        int c = r.read();
        if (c == '\uFEFF') {
            c = r.read();
        }
        while (c != -1) {
            if (++read > MAX_HEADER_CHARS) {
                throw new GranaryException(ErrorCode.INVALID_CSV, "The CSV header is longer than 1 MiB; is the enclosure right?");
            }
            any = true;
            char ch = (char) c;
            if (quoted) {
                if (d.escapedBy() != null && ch == d.escapedBy() && d.escapedBy() != d.enclosure()) {
                    int next = r.read();
                    if (next != -1) {
                        field.append((char) next);
                    }
                } else if (ch == d.enclosure()) {
                    int next = r.read();
                    if (next == d.enclosure()) {
                        field.append(d.enclosure());
                    } else {
                        quoted = false;
                        if (next != -1) {
                            r.unread(next);
                        }
                    }
                } else {
                    field.append(ch);
                }
            } else if (ch == d.enclosure() && field.isEmpty() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else if (ch == d.delimiter()) {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (ch == '\n') {
                lineEnding = "\n";
                break;
            } else if (ch == '\r') {
                int next = r.read();
                lineEnding = next == '\n' ? "\r\n" : "\r";
                break;
            } else {
                field.append(ch);
            }
            c = r.read();
        }
        if (quoted) {
            throw new GranaryException(ErrorCode.INVALID_CSV, "The CSV header has an unclosed enclosure (" + d.enclosure() + ").");
        }
        if (!any) {
            return new FirstRecord(List.of(), null);
        }
        fields.add(field.toString());
        return new FirstRecord(fields, lineEnding);
    }
}
