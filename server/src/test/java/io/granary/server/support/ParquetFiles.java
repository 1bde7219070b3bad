package io.granary.server.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads downloaded Parquet export slices with an in-memory DuckDB, as a user's tool would. */
public final class ParquetFiles {

    private ParquetFiles() {
    }

    /** The rows of every slice, in slice order, each value as a string. */
    public static List<List<String>> rows(List<Path> slices) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            for (Path slice : slices) {
                try (PreparedStatement ps = c.prepareStatement("SELECT * FROM read_parquet(?)")) {
                    ps.setString(1, slice.toString());
                    try (ResultSet rs = ps.executeQuery()) {
                        int n = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            List<String> row = new ArrayList<>();
                            for (int i = 1; i <= n; i++) {
                                row.add(rs.getString(i));
                            }
                            rows.add(row);
                        }
                    }
                }
            }
        }
        return rows;
    }

    /** A slice's columns as {@code name|DuckDB type}, in order. */
    public static List<String> columns(Path slice) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                PreparedStatement ps = c.prepareStatement("DESCRIBE SELECT * FROM read_parquet(?)")) {
            ps.setString(1, slice.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString("column_name") + "|" + rs.getString("column_type"));
                }
            }
        }
        return columns;
    }
}
