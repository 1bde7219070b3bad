package io.granary.trino;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.granary.core.csv.CsvDialect;
import io.granary.core.csv.CsvRecords;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.port.ObjectStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Stages the rows of CSV files for Trino: Granary parses them ({@link CsvRecords}), checking them by the
 * rules every backend loads by in the same pass ({@link io.granary.core.csv.CsvChecker}), numbers them across all files in order (column {@code r}, 1-based: the last occurrence of a key is the
 * one with the highest number), and writes them as gzip JSON lines parts ({@code c0 … cN-1} strings and
 * {@code r}) under a per-job prefix of the object store. A transient external Hive table over the prefix
 * ({@link #createTable}) is what load statements select from; {@link #cleanup} removes both. Values
 * arrive in Trino exactly as parsed: quotes, delimiters and line ends inside values are JSON-escaped.
 */
public final class TrinoStaging {

    /** What was staged: the parts' keys, how many rows and bytes (compressed). */
    public record Staged(String prefix, List<String> parts, long rows, long bytes) {
        public Staged {
            parts = List.copyOf(parts);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private TrinoStaging() {
    }

    /**
     * Parses {@code files} ({@code columns} fields each, a header first when {@code header}) and writes
     * parts of at most {@code rowsPerPart} rows under {@code prefix}; with no rows at all, one empty part (an
     * external table needs its location to hold a file). {@code progress} hears the bytes of the files read so
     * far and the rows, after each file and each part. A malformed file fails with its {@code INVALID_CSV} error,
     * an interrupt with {@code JOB_INTERRUPTED}, before anything more is written; the caller then cleans the
     * prefix up.
     */
    public static Staged stage(ObjectStore store, String prefix, List<Path> files, boolean header, CsvDialect dialect,
            int columns, long rowsPerPart, Path tempDir, JobProgress progress) {
        String dir = prefix.endsWith("/") ? prefix : prefix + "/";
        List<String> parts = new ArrayList<>();
        long row = 0;
        long bytes = 0;
        long read = 0;
        Path temp = null;
        try {
            temp = Files.createTempFile(tempDir, "granary-stage-", ".json.gz");
            PartWriter part = null;
            for (int f = 0; f < files.size(); f++) {
                String where = files.size() > 1 ? " (file " + (f + 1) + " of " + files.size() + ")" : "";
                try (CsvRecords records = CsvRecords.open(files.get(f), dialect, columns, header, where)) {
                    if (header) {
                        records.skipHeader();
                    }
                    String[] values;
                    while ((values = records.next()) != null) {
                        if (part == null) {
                            part = new PartWriter(temp);
                        }
                        part.write(values, ++row);
                        if (part.rows == rowsPerPart) {
                            bytes += upload(store, dir, parts, part, temp);
                            part = null;
                            report(progress, read, row);
                        }
                    }
                }
                read += Files.size(files.get(f));
                report(progress, read, row);
            }
            if (part == null && parts.isEmpty()) {
                part = new PartWriter(temp);
            }
            if (part != null) {
                bytes += upload(store, dir, parts, part, temp);
            }
            return new Staged(dir, parts, row, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stage rows under " + dir + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a temp file is left behind
                }
            }
        }
    }

    private static void report(JobProgress progress, long bytes, long rows) {
        progress.report(bytes, rows);
        if (Thread.currentThread().isInterrupted()) {
            throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "The load was interrupted; the table is unchanged.");
        }
    }

    private static long upload(ObjectStore store, String dir, List<String> parts, PartWriter part, Path temp)
            throws IOException {
        part.close();
        String key = dir + String.format("part-%05d.json.gz", parts.size());
        store.putFile(key, temp);
        parts.add(key);
        return Files.size(temp);
    }

    /**
     * {@code CREATE TABLE catalog.schema.table (c0 varchar, …, r bigint) WITH (external_location = …,
     * format = 'JSON')} over the staged prefix (Hive reads {@code .gz} parts as gzip).
     */
    public static String createTable(String qualifiedTable, int columns, String location) {
        StringBuilder b = new StringBuilder("CREATE TABLE ").append(qualifiedTable).append(" (");
        for (int i = 0; i < columns; i++) {
            b.append(column(i)).append(" varchar, ");
        }
        return b.append("r bigint) WITH (external_location = ").append(TrinoSql.literal(location))
                .append(", format = 'JSON')").toString();
    }

    /** The staged name of the {@code i}-th file column. */
    public static String column(int i) {
        return "c" + i;
    }

    /** Drops the transient table (its files stay: it is external) and deletes the staged parts. */
    public static void cleanup(java.sql.Connection trino, String qualifiedTable, ObjectStore store, String prefix)
            throws java.sql.SQLException {
        try (var s = trino.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + qualifiedTable);
        } finally {
            store.deletePrefix(prefix.endsWith("/") ? prefix : prefix + "/");
        }
    }

    /** One gzip JSON lines part being written to a temp file. */
    private static final class PartWriter implements AutoCloseable {
        private final JsonGenerator json;
        private long rows;

        PartWriter(Path file) throws IOException {
            OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), 1 << 16) {
                {
                    // staging is read once and deleted: speed over size
                    def.setLevel(Deflater.BEST_SPEED);
                }
            };
            json = JSON.createGenerator(out, JsonEncoding.UTF8);
            json.setRootValueSeparator(null);
        }

        void write(String[] values, long row) throws IOException {
            json.writeStartObject();
            for (int i = 0; i < values.length; i++) {
                json.writeStringField(column(i), values[i]);
            }
            json.writeNumberField("r", row);
            json.writeEndObject();
            json.writeRaw('\n');
            rows++;
        }

        @Override
        public void close() throws IOException {
            json.close();
        }
    }
}
