package io.granary.trino;

import io.granary.core.port.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Exports run inside Trino, in parallel, straight into the object store: {@code CREATE TABLE … WITH
 * (external_location = prefix, format = 'CSV' | 'PARQUET') AS SELECT …} on the Hive catalog writes the
 * slices, and dropping that external table leaves them. Trino's CSV writer already writes Granary's
 * export format: every value quoted, {@code ""} for a quote, LF, no header; with the GZIP codec each
 * {@code .gz} file is a complete stream. An empty result writes no file, so Granary then writes one
 * empty slice itself.
 */
public final class TrinoExport {

    /** CSV (optionally gzip) or Parquet slices. */
    public enum Format { CSV, CSV_GZIP, PARQUET }

    /** The slices' keys in order and how many rows. */
    public record Result(List<String> slices, long rows) {
        public Result {
            slices = List.copyOf(slices);
        }
    }

    private TrinoExport() {
    }

    /**
     * Writes the rows of {@code select} under {@code prefix}, through transient table {@code exportTable}
     * (a qualified name in the Hive catalog). {@code names} name the select's columns (all {@code varchar})
     * in the slices; Hive lower-cases them, which matters for Parquet only.
     */
    public static Result export(Connection trino, String hiveCatalog, String exportTable, List<String> names, String select,
            ObjectStore store, String prefix, Format format) throws SQLException {
        String dir = prefix.endsWith("/") ? prefix : prefix + "/";
        String location = "s3://" + store.bucket() + "/" + dir;
        long rows;
        try (Statement s = trino.createStatement()) {
            s.execute("SET SESSION " + TrinoSql.id(hiveCatalog) + ".compression_codec = "
                    + TrinoSql.literal(format == Format.CSV_GZIP ? "GZIP" : format == Format.PARQUET ? "ZSTD" : "NONE"));
            StringBuilder aliases = new StringBuilder();
            for (String name : names) {
                aliases.append(aliases.length() == 0 ? "" : ", ").append(TrinoSql.id(name));
            }
            rows = Math.max(0, s.executeLargeUpdate("CREATE TABLE " + exportTable + " (" + aliases + ") WITH (external_location = "
                    + TrinoSql.literal(location) + ", format = " + TrinoSql.literal(format == Format.PARQUET ? "PARQUET" : "CSV")
                    + ") AS " + select));
        } finally {
            try (Statement s = trino.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + exportTable);
                s.execute("RESET SESSION " + TrinoSql.id(hiveCatalog) + ".compression_codec");
            }
        }
        List<String> slices = store.list(dir).stream().map(ObjectStore.ObjectInfo::key)
                .filter(k -> !k.substring(k.lastIndexOf('/') + 1).startsWith(".")).toList();
        if (slices.isEmpty() && format != Format.PARQUET) {
            String key = dir + "part-00000" + (format == Format.CSV_GZIP ? ".csv.gz" : ".csv");
            byte[] empty = format == Format.CSV_GZIP ? emptyGzip() : new byte[0];
            store.put(key, new ByteArrayInputStream(empty), empty.length);
            slices = List.of(key);
        }
        return new Result(slices, rows);
    }

    private static byte[] emptyGzip() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
