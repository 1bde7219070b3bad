package io.granary.core.port;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads exported Parquet slices back with an in-memory DuckDB, as a user's tool would: the rows (every value
 * read as a string), the schema (name, physical type, string annotation) and the page compression.
 */
public final class ParquetSlices {

    /** One column of a Parquet file's schema. */
    public record Column(String name, String type, boolean string) {
    }

    private ParquetSlices() {
    }

    /** The rows of one slice in file order, every value as a string (null stays null, so a test sees it). */
    public static List<List<String>> rows(byte[] slice) {
        return query(slice, "SELECT * FROM read_parquet(?)", rs -> {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.add(rs.getString(i));
            }
            return row;
        });
    }

    /** The leaf columns of a slice's schema, in order. */
    public static List<Column> schema(byte[] slice) {
        return query(slice, "SELECT name, type, converted_type, logical_type FROM parquet_schema(?) WHERE type IS NOT NULL",
                rs -> {
                    String logical = rs.getString(4);
                    boolean string = "UTF8".equals(rs.getString(3)) || (logical != null && logical.contains("String"));
                    return new Column(rs.getString(1), rs.getString(2), string);
                });
    }

    /** The distinct page compressions of a slice's column chunks (empty for a file without rows). */
    public static List<String> compressions(byte[] slice) {
        return query(slice, "SELECT DISTINCT compression FROM parquet_metadata(?) ORDER BY 1", rs -> rs.getString(1));
    }

    // runs sql with the slice, written to a temp file, as its one parameter
    private static <T> List<T> query(byte[] slice, String sql, RowReader<T> reader) {
        try {
            Path file = Files.createTempFile("slice-", ".parquet");
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); PreparedStatement ps = c.prepareStatement(sql)) {
                Files.write(file, slice);
                ps.setString(1, file.toAbsolutePath().toString());
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(reader.read(rs));
                    }
                }
                return out;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new AssertionError("not a readable Parquet file: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }
}
