package io.granary.duckdb;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * One DuckDB database file opened once per process. DuckDB allows a single process to open a file
 * only once, so every user of the file gets a duplicate of this connection.
 */
public final class DuckDbDatabase implements AutoCloseable {

    private final Path file;
    private final DuckDBConnection root;

    public DuckDbDatabase(Path file) {
        this.file = file;
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Properties props = new Properties();
            root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), props);
        } catch (Exception e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot open DuckDB database " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** A new connection to the same database; the caller closes it. */
    public Connection connect() {
        try {
            return root.duplicate();
        } catch (SQLException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot connect to DuckDB database " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            root.close();
        } catch (SQLException ignored) {
            // closing is best effort at shutdown
        }
    }
}
