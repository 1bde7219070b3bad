package io.granary.jdbc;

import io.granary.core.util.SlicePipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Turns CSV export slices in Granary's format (every value quoted, LF, no header: what PostgreSQL's {@code COPY}
 * and the Trino backend's JDBC export write) into Parquet slices, each in an in-process DuckDB of its own: DuckDB
 * reads the CSV and writes the Parquet file in a stream, within {@link #MEMORY_LIMIT} (spilling to the slice's
 * directory), so no slice is ever held in memory. PostgreSQL has no Parquet writer, Trino's lower-cases column
 * names, and DuckDB is already Granary's embedded engine.
 */
public final class CsvParquet {

    /** What one conversion's DuckDB may use; two run per core at most ({@link SlicePipeline}). */
    public static final String MEMORY_LIMIT = "256MB";
    /** Longest CSV record (row) a conversion reads, as a DuckDB load accepts. */
    static final long MAX_ROW_BYTES = 16L << 20;
    private static final long READ_BUFFER_BYTES = 32L << 20;

    private CsvParquet() {
    }

    /**
     * The pipeline step that replaces a CSV slice (Granary's export format, {@code columns} in order) by
     * {@code <slice>.parquet}: one string column per exported column, named as it, rows in slice order;
     * {@code compress} = Snappy pages, else uncompressed.
     */
    public static SlicePipeline.Step step(List<String> columns, boolean compress) {
        return csv -> convert(csv, columns, compress);
    }

    private static Path convert(Path csv, List<String> columns, boolean compress) throws IOException {
        Path parquet = csv.resolveSibling(csv.getFileName() + ".parquet");
        StringBuilder select = new StringBuilder();
        StringBuilder types = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            select.append(i == 0 ? "" : ", ").append("coalesce(c").append(i).append(", '') AS ")
                    .append(ident(columns.get(i)));
            types.append(i == 0 ? "" : ", ").append("'c").append(i).append("': 'VARCHAR'");
        }
        // every value is quoted, so "" is an empty string; a NULL (unquoted, never written today) becomes '' too
        String sql = "COPY (SELECT " + select + " FROM read_csv(" + lit(csv.toAbsolutePath().toString())
                + ", columns = {" + types + "}, auto_detect = false, header = false, delim = ',', quote = '\"'"
                + ", escape = '\"', new_line = '\\n', allow_quoted_nulls = false, strict_mode = true"
                + ", null_padding = false, ignore_errors = false, encoding = 'utf-8'"
                + ", max_line_size = " + MAX_ROW_BYTES + ", buffer_size = " + READ_BUFFER_BYTES + ")) TO "
                + lit(parquet.toAbsolutePath().toString()) + " (FORMAT parquet, COMPRESSION "
                + (compress ? "snappy" : "uncompressed") + ")";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET memory_limit = " + lit(MEMORY_LIMIT));
            s.execute("SET threads = 1");
            s.execute("SET temp_directory = " + lit(csv.getParent().resolve(csv.getFileName() + ".tmp").toString()));
            s.execute(sql);
        } catch (SQLException e) {
            throw new IOException("Cannot convert the export slice to Parquet: " + e.getMessage(), e);
        }
        Files.delete(csv);
        return parquet;
    }

    private static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    private static String lit(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
