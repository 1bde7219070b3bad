package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

class PostgresDatabaseTest {

    @Test
    void migratesAnEmptyDatabaseAndReopensWithoutChange() throws Exception {
        PostgresConfig config = TestPostgres.newDatabase();
        try (PostgresDatabase db = new PostgresDatabase(config)) {
            assertThat(appliedMigrations(db)).isPositive();
        }
        try (PostgresDatabase db = new PostgresDatabase(config)) {
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM jobs")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void upgradesADatabaseOfAnOlderVersionInPlace() throws Exception {
        PostgresConfig config = TestPostgres.newDatabase();
        // a database as the first release left it: only V1 (the job queue), with a job in it
        try (HikariDataSource old = new HikariDataSource()) {
            old.setJdbcUrl(config.url());
            old.setUsername(config.user());
            Flyway.configure().dataSource(old).locations("classpath:io/granary/postgres/migration")
                    .table("granary_schema_history").target("1").load().migrate();
            try (Connection c = old.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO jobs (status, operation_name, operation_params, creator_token_id, created)"
                        + " VALUES ('waiting', 'fileDelete', '{}', 1, now())");
            }
        }
        try (PostgresDatabase db = new PostgresDatabase(config)) {
            assertThat(appliedMigrations(db)).isGreaterThan(1);
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT operation_name, (SELECT count(*) FROM buckets) FROM jobs")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("fileDelete");
                assertThat(rs.getLong(2)).isZero();
            }
        }
    }

    @Test
    void anOlderNodeStartsOnASchemaANewerNodeMigratedAndLeavesItUnchanged() throws Exception {
        PostgresConfig config = TestPostgres.newDatabase();
        try (PostgresDatabase db = new PostgresDatabase(config); Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO granary_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (999, '999', 'from the future', 'SQL',"
                    + " 'V999__future.sql', 0, 'test', 0, true)");
        }
        // rolling upgrades: migrations only add, so nodes of the previous release keep working meanwhile
        try (PostgresDatabase db = new PostgresDatabase(config)) {
            assertThat(appliedMigrations(db)).isGreaterThan(2);
        }
    }

    @Test
    void anUnreachableDatabaseIsNamedInTheError() {
        assertThatThrownBy(() -> new PostgresDatabase(new PostgresConfig("jdbc:postgresql://127.0.0.1:1/granary", "granary",
                "secret-pw", 2)))
                .hasMessageStartingWith("Cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/granary as granary: ")
                .hasMessageContaining("refused")
                .hasMessageNotContaining("secret-pw");
    }

    @Test
    void refusesAnUrlThatIsNotPostgres() {
        assertThatThrownBy(() -> new PostgresConfig("jdbc:mysql://x/y", "u", "p", 4))
                .hasMessage("The PostgreSQL URL must start with jdbc:postgresql: (got jdbc:mysql://x/y)");
    }

    @Test
    void configNeverPrintsThePassword() {
        assertThat(new PostgresConfig("jdbc:postgresql://h/db", "u", "s3cret", 4).toString()).doesNotContain("s3cret");
    }

    private static int appliedMigrations(PostgresDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM granary_schema_history WHERE success")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
