package io.granary.trino;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.TableRef;
import io.granary.core.port.Settings;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalogs a node creates in Trino at start ({@link TrinoLake#prepare}), as a server opens the backend. */
class TrinoLakeTest {

    private final TrinoTestLake lake = TrinoTestLake.shared();
    @TempDir
    Path tmp;

    @Test
    void aNodeCreatesBothCatalogsOnceAndReplacesThemWhenItsConfigurationChanges() throws Exception {
        String catalog = TestTrino.newCatalogName();
        String history = "SELECT query FROM system.runtime.queries WHERE query LIKE 'CREATE CATALOG \"" + catalog + "%'";
        try (Connection granary = TestTrino.connect(); Connection other = TestTrino.connect("someone-else")) {
            lake.open(lake.settings(catalog), tmp).close();
            assertThat(TrinoCatalogSetup.catalogs(granary)).contains(catalog, catalog + "_staging");
            // Trino keeps the statement text, secrets included: only Granary's user may see it
            List<List<String>> created = TrinoClient.rows(granary, history);
            assertThat(created).hasSize(2).allSatisfy(q -> assertThat(q.get(0)).contains(lake.s3.secretKey()));
            assertThat(TrinoClient.rows(other, history)).isEmpty();
            // the engine key is not the system key minted credentials derive from
            assertThat(lake.s3.accessKey()).isNotEqualTo(TrinoTestLake.ACCESS_KEY);
            assertThat(created).allSatisfy(q -> assertThat(q.get(0)).doesNotContain(TrinoTestLake.SECRET));

            // another node with the same configuration leaves them alone
            lake.open(lake.settings(catalog), tmp).close();
            assertThat(TrinoClient.rows(granary, history)).hasSize(2);

            // one that reaches the store under another address replaces them, and works
            String endpoint = lake.s3.endpoint().toString();
            String moved = endpoint.contains("127.0.0.1") ? endpoint.replace("127.0.0.1", "localhost")
                    : endpoint.replace("localhost", "127.0.0.1");
            assertThat(moved).isNotEqualTo(endpoint);
            Settings settings = lake.settings(catalog).with(TrinoSettings.S3_ENDPOINT, moved);
            try (TrinoTableBackend backend = lake.open(settings, tmp)) {
                assertThat(TrinoClient.rows(granary, history)).hasSize(4)
                        .anySatisfy(q -> assertThat(q.get(0)).contains(moved));
                assertThat(backend.exists(new TableRef("in.c-x", "t"))).isFalse();
            }
        } finally {
            TestTrino.dropCatalogs(catalog);
        }
    }
}
