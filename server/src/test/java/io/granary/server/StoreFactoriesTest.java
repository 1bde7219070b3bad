package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Stores are found on the class path by name, each with the settings it declares, checked before a node starts. */
class StoreFactoriesTest {

    private final StoreFactories stores = StoreFactories.installed();

    @Test
    void theInstalledStoresAreFoundByName() {
        assertThat(stores.catalog("sqlite").shared()).isFalse();
        assertThat(stores.catalog("postgres").shared()).isTrue();
        assertThat(stores.backend("duckdb").name()).isEqualTo("duckdb");
        assertThat(stores.backend("postgres").name()).isEqualTo("postgres");
        assertThat(stores.catalogChoices()).isEqualTo("sqlite or postgres");
        assertThat(stores.backend("trino").name()).isEqualTo("trino");
        assertThat(stores.backendChoices()).isEqualTo("duckdb, postgres or trino");
        assertThatThrownBy(() -> stores.backend("hive")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown storage kind \"hive\": use duckdb, postgres or trino.");
    }

    @Test
    void aSettingTwoStoresShareIsOfferedOnce() {
        assertThat(stores.settings()).extracting(Setting::flag)
                .containsExactly("--postgres-password", "--postgres-url", "--postgres-user", "--trino-catalog",
                        "--trino-maintenance-interval", "--trino-password", "--trino-postgres-url",
                        "--trino-s3-endpoint", "--trino-security-dir", "--trino-tls-cert", "--trino-url", "--trino-user",
                        "--workspace-host", "--workspace-port");
        assertThat(stores.settings()).extracting(Setting::environmentVariable)
                .startsWith("GRANARY_POSTGRES_PASSWORD", "GRANARY_POSTGRES_URL", "GRANARY_POSTGRES_USER",
                        "GRANARY_TRINO_CATALOG")
                .endsWith("GRANARY_WORKSPACE_HOST", "GRANARY_WORKSPACE_PORT");
        assertThat(stores.settings()).filteredOn(Setting::secret).extracting(Setting::name)
                .containsExactly("postgres-password", "trino-password");
    }

    @Test
    void aNodeConfigIsCheckedAgainstTheChosenStoresOnly() {
        ServerConfig embedded = ServerConfig.defaults(Path.of("unused"));
        assertThat(embedded.catalog()).isEqualTo("sqlite");
        assertThatThrownBy(() -> embedded.withStores("duckdb", "duckdb", Settings.empty()))
                .hasMessage("The embedded catalog is on SQLite now: use --catalog sqlite (the default); a catalog.duckdb"
                        + " in the data directory is migrated on the first start.");
        assertThatThrownBy(() -> embedded.withStores("sqlite", "postgres", Settings.empty()))
                .hasMessage("--catalog postgres and --backend postgres need --postgres-url.");
        assertThatThrownBy(() -> embedded.withStores("sqlite", "postgres",
                Settings.empty().with("postgres-url", "mysql://db")))
                .hasMessage("The PostgreSQL URL must start with jdbc:postgresql: (got mysql://db)");
        // a setting of a store not in use is not checked
        assertThat(embedded.withStores("sqlite", "duckdb", Settings.empty().with("postgres-url", "mysql://db")).backend())
                .isEqualTo("duckdb");
    }
}
