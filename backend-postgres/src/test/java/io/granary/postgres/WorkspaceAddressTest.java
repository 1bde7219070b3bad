package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.port.Settings;
import io.granary.core.port.WorkspaceBackend;
import org.junit.jupiter.api.Test;

/** Which host and port a PostgreSQL workspace's connection names, from the flags and the database URL. */
class WorkspaceAddressTest {

    private static PostgresSettings.Address address(Settings s, String url) {
        return PostgresSettings.workspaceAddress(s, url);
    }

    @Test
    void theDatabasesOwnHostUnlessItIsThisMachinesLoopback() {
        Settings node = Settings.empty().with(WorkspaceBackend.PUBLIC_HOST, "granary.example.com");
        assertThat(address(node, "jdbc:postgresql://db.internal:6543/granary"))
                .isEqualTo(new PostgresSettings.Address("db.internal", "6543"));
        assertThat(address(node, "jdbc:postgresql://localhost/granary"))
                .isEqualTo(new PostgresSettings.Address("granary.example.com", "5432"));
        assertThat(address(node, "jdbc:postgresql://127.0.0.1:5433/granary"))
                .isEqualTo(new PostgresSettings.Address("granary.example.com", "5433"));
        assertThat(address(Settings.empty(), "jdbc:postgresql://localhost/granary").host()).isEqualTo("localhost");
    }

    @Test
    void theFlagsWin() {
        Settings flags = Settings.empty().with(WorkspaceBackend.PUBLIC_HOST, "granary.example.com")
                .with(WorkspaceBackend.HOST.name(), " pg.example.com ").with(PostgresSettings.WORKSPACE_PORT, "15432");
        assertThat(address(flags, "jdbc:postgresql://db.internal:6543/granary"))
                .isEqualTo(new PostgresSettings.Address("pg.example.com", "15432"));
    }
}
