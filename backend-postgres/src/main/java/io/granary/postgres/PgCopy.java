package io.granary.postgres;

import io.granary.core.csv.CsvChecker;
import io.granary.core.csv.CsvDialect;
import io.granary.core.csv.CsvScan;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

/**
 * Streams CSV between files and PostgreSQL with the COPY protocol: files go in through
 * {@link PgCsvFeed}, checked on the way by {@link CsvChecker} (gzip and a byte order mark are handled
 * here, in Java); exports come out one
 * CopyData message (= one row) at a time into slices. Nothing holds more than a buffer of a file.
 */
final class PgCopy {

    private static final int BUFFER = 1 << 16;

    private PgCopy() {
    }

    /**
     * Copies one file into {@code table}'s {@code columns} (quoted PostgreSQL names, in file order);
     * returns the rows COPY read. A file problem is thrown as an {@code INVALID_CSV} user error. {@code keys}, when
     * not null, is shown every byte sent.
     */
    static long load(Connection c, String table, List<String> columns, Path file, String where, CsvDialect dialect,
            boolean header, PgKeyTracker keys) throws SQLException {
        String sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN WITH (FORMAT csv"
                + ", HEADER " + header
                + ", DELIMITER " + PgNames.lit(String.valueOf(dialect.delimiter()))
                + ", QUOTE " + PgNames.lit(String.valueOf(dialect.enclosure()))
                + ", ESCAPE " + PgNames.lit(String.valueOf(dialect.escapedBy() == null ? dialect.enclosure()
                        : dialect.escapedBy()))
                // unquoted empty values are '' (as in DuckDB's backend), never NULL
                + ", FORCE_NOT_NULL (" + String.join(", ", columns) + ")"
                // the staging table is new in this transaction: rows need no later freezing or hint bits
                + ", FREEZE, ENCODING 'UTF8')";
        CopyManager copies = c.unwrap(PGConnection.class).getCopyAPI();
        CopyIn copy = copies.copyIn(sql);
        try (InputStream in = open(file)) {
            PgCsvFeed feed = PgCsvFeed.filter(dialect, columns.size());
            // the BOM is gone already: the checker counts from the first character of text
            CsvChecker checker = CsvChecker.of(dialect, columns.size(), header);
            if (keys != null) {
                keys.startFile(header);
            }
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (Thread.currentThread().isInterrupted()) {
                    throw PostgresTableBackend.interrupted();
                }
                if (!checker.feed(buffer, 0, n)) {
                    throw CsvScan.invalid(where, checker.problem());
                }
                int m = feed.feed(buffer, n);
                if (m > 0) {
                    send(copy, feed.output(), m, keys);
                }
            }
            if (checker.finish() != null) {
                throw CsvScan.invalid(where, checker.problem());
            }
            int m = feed.finish();
            if (m > 0) {
                send(copy, feed.output(), m, keys);
            }
            if (keys != null) {
                keys.endFile();
            }
            return copy.endCopy();
        } catch (PgCsvFeed.Malformed e) {
            // the checker saw the same bytes first and refuses whatever the filter refuses
            throw new GranaryException(ErrorCode.INTERNAL, "The CSV filter refused a file the checker accepted", e);
        } catch (GzipException e) {
            throw PgCsvErrors.gzip(where, e);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot read a file to load: " + e.getMessage(), e);
        } catch (SQLException e) {
            GranaryException csv = PgCsvErrors.fromCopy(e, file, where, dialect, columns.size(), header);
            if (csv != null) {
                throw csv;
            }
            throw e;
        } finally {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // the transaction is rolled back anyway
                }
            }
        }
    }

    private static void send(CopyIn copy, byte[] bytes, int length, PgKeyTracker keys) throws SQLException {
        if (keys != null) {
            keys.feed(bytes, 0, length);
        }
        copy.writeToCopy(bytes, 0, length);
    }

    /**
     * The file's bytes: gunzipped when it starts with the gzip magic bytes, without a UTF-8 byte order
     * mark. A broken gzip stream throws {@link GzipException}.
     */
    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? gunzip(raw) : raw;
            PushbackInputStream bom = new PushbackInputStream(in, 3);
            byte[] head = bom.readNBytes(3);
            if (!(head.length == 3 && (head[0] & 0xff) == 0xef && (head[1] & 0xff) == 0xbb && (head[2] & 0xff) == 0xbf)) {
                bom.unread(head);
            }
            return bom;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static InputStream gunzip(InputStream raw) throws GzipException {
        try {
            return new FilterInputStream(new GZIPInputStream(raw, BUFFER)) {
                @Override
                public int read() throws IOException {
                    try {
                        return super.read();
                    } catch (IOException e) {
                        throw new GzipException(e);
                    }
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return super.read(b, off, len);
                    } catch (IOException e) {
                        throw new GzipException(e);
                    }
                }
            };
        } catch (IOException e) {
            throw new GzipException(e);
        }
    }

    /** A gzip stream that cannot be decompressed (corrupt or cut short). */
    static final class GzipException extends IOException {
        GzipException(IOException cause) {
            super(cause.getMessage() == null ? "unexpected end of the stream" : cause.getMessage(), cause);
        }
    }

    /**
     * Runs {@code COPY (query) TO STDOUT} into plain CSV slices {@code slice_<id>_<i>.csv} in {@code dir}: a new
     * slice starts at a row boundary once one holds {@code sliceBytes}, and each finished slice goes to
     * {@code finished} (in order) while the next one is written. Always at least one (possibly empty) slice.
     * Returns the rows written.
     */
    static long export(Connection c, String query, Path dir, long sliceBytes, Consumer<Path> finished)
            throws SQLException, IOException {
        Files.createDirectories(dir);
        String prefix = "slice_" + UUID.randomUUID().toString().replace("-", "");
        CopyManager copies = c.unwrap(PGConnection.class).getCopyAPI();
        CopyOut copy = copies.copyOut("COPY (" + query + ") TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *, ENCODING 'UTF8')");
        long rows = 0;
        int slices = 0;
        Path slice = null;
        OutputStream out = null;
        long written = 0;
        try {
            byte[] row;
            while ((row = copy.readFromCopy()) != null) {
                if (out == null) {
                    slice = dir.resolve(prefix + "_" + slices++ + ".csv");
                    out = new BufferedOutputStream(Files.newOutputStream(slice), BUFFER);
                    written = 0;
                }
                out.write(row);
                written += row.length;
                rows++;
                if (written >= sliceBytes) {
                    out.close();
                    out = null;
                    finished.accept(slice);
                }
                if ((rows & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                    throw PostgresTableBackend.exportInterrupted();
                }
            }
        } finally {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // the export failed already
                }
            }
            if (out != null) {
                out.close();
            }
        }
        if (out != null) {
            finished.accept(slice);
        } else if (slices == 0) {
            finished.accept(Files.createFile(dir.resolve(prefix + "_0.csv")));
        }
        return rows;
    }
}
