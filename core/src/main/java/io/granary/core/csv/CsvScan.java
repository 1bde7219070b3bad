package io.granary.core.csv;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;

/**
 * File-level helpers around {@link CsvChecker} for engines that read the files themselves: one streaming
 * pass that finds a file's first problem, and a copy whose record ends are all LF for engines that cannot
 * read a file whose records end in different ways.
 */
public final class CsvScan {

    private static final int BUFFER = 1 << 16;

    private CsvScan() {
    }

    /**
     * Reads {@code file} (gunzipped when it starts with the gzip magic bytes) through a checker and returns
     * it finished, or unfinished when {@code stop} became true. A broken gzip stream throws its IOException.
     */
    public static CsvChecker check(Path file, CsvDialect dialect, int columns, boolean header, BooleanSupplier stop)
            throws IOException {
        CsvChecker checker = CsvChecker.of(dialect, columns, header);
        try (InputStream in = open(file)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!checker.feed(buffer, 0, n) || stop.getAsBoolean()) {
                    return checker;
                }
            }
        }
        checker.finish();
        return checker;
    }

    /**
     * Writes {@code file}'s text (gunzipped) to {@code target} with every record end outside quotes (LF,
     * CRLF, CR) as LF; line ends inside quoted values stay as they are. The file must have no problem by
     * {@link CsvChecker}, which is what makes tracking the enclosure alone enough.
     */
    public static void withLfLineEnds(Path file, CsvDialect dialect, Path target) throws IOException {
        int quote = dialect.enclosure() & 0xff;
        int escape = dialect.escapedBy() == null || dialect.escapedBy() == dialect.enclosure() ? -1
                : dialect.escapedBy() & 0xff;
        boolean inQuote = false;
        boolean escaped = false;
        boolean afterCr = false;
        try (InputStream in = open(file);
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), BUFFER)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    int b = buffer[i] & 0xff;
                    if (afterCr) {
                        afterCr = false;
                        if (b == '\n') {
                            continue; // the LF of a CRLF, already written
                        }
                    }
                    if (inQuote) {
                        if (escaped) {
                            escaped = false;
                        } else if (b == escape) {
                            escaped = true;
                        } else if (b == quote) {
                            inQuote = false;
                        }
                    } else if (b == quote) {
                        inQuote = true;
                    } else if (b == '\r') {
                        afterCr = true;
                        b = '\n';
                    }
                    out.write(b);
                }
            }
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return gzip ? new GZIPInputStream(raw, BUFFER) : raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** The user error for a problem; {@code where} is {@code ""} or {@code " (file i of n)"}. */
    public static GranaryException invalid(String where, CsvChecker.Problem problem) {
        return new GranaryException(ErrorCode.INVALID_CSV,
                "Invalid CSV file" + where + ". Line " + problem.line() + ": " + problem.text() + ".");
    }
}
