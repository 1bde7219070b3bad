package io.granary.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The connection pool to the shared database. Opening it brings the schema up to date with Flyway
 * (safe when several nodes start at once: Flyway takes a database lock). A schema already migrated
 * by a newer Granary is left as it is, so a rolling upgrade can run old and new nodes side by side:
 * migrations only ever add.
 */
public final class PostgresDatabase implements AutoCloseable {

    private final HikariDataSource pool;
    private final PostgresConfig config;

    public PostgresDatabase(PostgresConfig config) {
        this.config = config;
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.url());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setPoolName("granary-postgres");
        hikari.setConnectionTimeout(30_000);
        try {
            this.pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalStateException("Cannot connect to PostgreSQL at " + config.url() + " as " + config.user() + ": "
                    + cause.getMessage(), e);
        }
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:io/granary/postgres/migration")
                    .table("granary_schema_history")
                    .validateOnMigrate(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** A pooled connection in auto-commit mode; the caller closes it. */
    public Connection connect() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to PostgreSQL: " + e.getMessage(), e);
        }
    }

    /**
     * A connection of its own, outside the pool, for a caller that holds it for as long as it runs (a
     * {@code LISTEN}); the caller closes it.
     */
    public Connection connectUnpooled() throws SQLException {
        return java.sql.DriverManager.getConnection(config.url(), config.user(), config.password());
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.close();
    }
}
