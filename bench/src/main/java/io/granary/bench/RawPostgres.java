package io.granary.bench;

import io.granary.postgres.PostgresConfig;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Raw PostgreSQL through pgjdbc's {@link CopyManager} ({@code COPY … FROM STDIN} / {@code TO STDOUT}), on a
 * database of its own on the same server Granary uses. PostgreSQL reads and writes no gzip over COPY, so
 * gzip is done here in Java: {@link GZIPInputStream} in, {@link GZIPOutputStream} at the fastest level out
 * (the level Granary's exports use).
 */
final class RawPostgres implements RawEngine {

    private static final int BUFFER = 1 << 16;

    private final Connection connection;
    private final CopyManager copy;

    RawPostgres(PostgresConfig db) throws SQLException {
        this.connection = DriverManager.getConnection(db.url(), db.user(), db.password());
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
    }

    @Override
    public String describe(String operation) {
        return switch (operation) {
            case "load" -> "CREATE TABLE + COPY FROM STDIN";
            case "upsert" -> "COPY FROM STDIN into a temp table + MERGE";
            case "export" -> "COPY TO STDOUT (gzipped in Java for the gzip variant) into a local file";
            default -> operation;
        };
    }

    @Override
    public long createAndLoad(String table, Path csv) throws Exception {
        try (Statement s = connection.createStatement(); InputStream in = open(csv)) {
            s.execute(RawDuckDb.createTable(table, "TEXT"));
            return copy.copyIn("COPY " + table + " FROM STDIN WITH (FORMAT csv, HEADER true)", in, BUFFER);
        }
    }

    @Override
    public long createAndLoadSlices(String table, List<Path> slices) throws Exception {
        return inTransaction(s -> {
            s.execute(RawDuckDb.createTable(table, "TEXT"));
            long rows = 0;
            for (Path slice : slices) {
                try (InputStream in = open(slice)) {
                    rows += copy.copyIn("COPY " + table + " FROM STDIN WITH (FORMAT csv)", in, BUFFER);
                }
            }
            return rows;
        });
    }

    private interface Work {
        long run(Statement s) throws Exception;
    }

    /** Runs work in one transaction, committed if it returns and rolled back if it throws. */
    private long inTransaction(Work work) throws Exception {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            long result = work.run(s);
            connection.commit();
            return result;
        } catch (Exception e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    @Override
    public long upsert(String table, Path increment) throws Exception {
        inTransaction(s -> {
            s.execute("CREATE TEMP TABLE increment (LIKE " + table + ") ON COMMIT DROP");
            try (InputStream in = open(increment)) {
                copy.copyIn("COPY increment FROM STDIN WITH (FORMAT csv, HEADER true)", in, BUFFER);
            }
            s.execute("ANALYZE increment");
            StringBuilder set = new StringBuilder();
            StringBuilder values = new StringBuilder();
            for (String c : CsvGenerator.COLUMNS) {
                if (!c.equals("id")) {
                    set.append(set.isEmpty() ? "" : ", ").append(c).append(" = s.").append(c);
                }
                values.append(values.isEmpty() ? "" : ", ").append("s.").append(c);
            }
            s.execute("MERGE INTO " + table + " AS t USING increment AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET "
                    + set + " WHEN NOT MATCHED THEN INSERT VALUES (" + values + ")");
            return 0;
        });
        try (Statement s = connection.createStatement()) {
            return count(s, table);
        }
    }

    @Override
    public long exportCsv(String table, Path target, boolean gzip) throws Exception {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(target), BUFFER);
                OutputStream out = gzip ? new GZIPOutputStream(file, BUFFER) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                } : file) {
            copy.copyOut("COPY " + table + " TO STDOUT WITH (FORMAT csv, HEADER true)", out);
        }
        return Files.size(target);
    }

    @Override
    public long exportParquet(String table, Path target) {
        return -1;
    }

    /** Copies {@code from} into a new table {@code to} of another schema ({@code INSERT … SELECT}, one transaction). */
    long insertSelect(String from, String to) throws Exception {
        return inTransaction(s -> {
            s.execute("CREATE SCHEMA IF NOT EXISTS copies");
            s.execute("DROP TABLE IF EXISTS copies." + to);
            s.execute("CREATE TABLE copies." + to + " (LIKE " + from + ")");
            return s.executeLargeUpdate("INSERT INTO copies." + to + " SELECT * FROM " + from);
        });
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

    private static InputStream open(Path file) throws java.io.IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, BUFFER) : in;
    }

    private static long count(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
