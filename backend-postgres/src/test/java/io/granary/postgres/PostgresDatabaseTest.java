package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
