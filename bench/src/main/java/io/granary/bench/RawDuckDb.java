package io.granary.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.duckdb.DuckDBConnection;

/** Raw DuckDB in the bench's own process, on a database file of its own, with DuckDB's default settings. */
final class RawDuckDb implements RawEngine {

    private final DuckDBConnection connection;

    RawDuckDb(Path databaseFile) throws SQLException {
        this.connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + databaseFile);
    }

    /** Another connection to the same database, for concurrent clients. */
    Connection duplicate() throws SQLException {
        return connection.duplicate();
    }

    @Override
    public String describe(String operation) {
        return switch (operation) {
            case "load" -> "CREATE TABLE + COPY FROM";
            case "upsert" -> "MERGE INTO … USING read_csv(…)";
            case "export" -> "COPY … TO a local file";
            case "export-parquet" -> "COPY … TO (FORMAT parquet) a local file";
            default -> operation;
        };
    }

    @Override
    public long createAndLoad(String table, Path csv) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(createTable(table, "VARCHAR"));
            // gzip is recognised from the .gz name
            s.execute("COPY " + table + " FROM " + lit(csv) + " (HEADER true)");
            return count(s, table);
        }
    }

    @Override
    public long createAndLoadSlices(String table, List<Path> slices) throws SQLException {
        Path dir = slices.get(0).getParent();
        for (Path slice : slices) {
            if (!slice.getParent().equals(dir)) {
                throw new IllegalArgumentException("slices must share one directory");
            }
        }
        try (Statement s = connection.createStatement()) {
            s.execute(createTable(table, "VARCHAR"));
            s.execute("COPY " + table + " FROM " + lit(dir.resolve("*.csv")) + " (HEADER false)");
            return count(s, table);
        }
    }

    @Override
    public long upsert(String table, Path increment) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("MERGE INTO " + table + " AS t USING read_csv(" + lit(increment)
                    + ", header = true, all_varchar = true) AS s ON t.id = s.id"
                    + " WHEN MATCHED THEN UPDATE WHEN NOT MATCHED THEN INSERT");
            return count(s, table);
        }
    }

    @Override
    public long exportCsv(String table, Path target, boolean gzip) throws SQLException, java.io.IOException {
        try (Statement s = connection.createStatement()) {
            s.execute("COPY " + table + " TO " + lit(target) + " (FORMAT csv, HEADER true"
                    + (gzip ? ", COMPRESSION gzip" : "") + ")");
        }
        return java.nio.file.Files.size(target);
    }

    @Override
    public long exportParquet(String table, Path target) throws SQLException, java.io.IOException {
        try (Statement s = connection.createStatement()) {
            s.execute("COPY " + table + " TO " + lit(target) + " (FORMAT parquet)");
        }
        return java.nio.file.Files.size(target);
    }

    @Override
    public void drop(String table) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    static String createTable(String table, String type) {
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(table).append(" (");
        for (int i = 0; i < CsvGenerator.COLUMNS.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(CsvGenerator.COLUMNS.get(i)).append(' ').append(type);
        }
        return sql.append(')').toString();
    }

    static String lit(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    private static long count(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
