package io.granary.postgres;

import io.granary.core.port.Catalog;
import io.granary.core.port.CatalogContract;
import java.nio.file.Path;

/** The catalog contract on a real PostgreSQL: a fresh database per test, reopened through a new pool. */
class PostgresCatalogTest extends CatalogContract {

    private PostgresConfig config;

    @Override
    protected Catalog openCatalog(Path dir) {
        if (config == null) {
            config = TestPostgres.newDatabase();
        }
        return new PostgresCatalog(config);
    }
}
