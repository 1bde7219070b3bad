package io.granary.duckdb;

import io.granary.core.port.Catalog;
import io.granary.core.port.CatalogContract;
import java.nio.file.Path;

class DuckDbCatalogTest extends CatalogContract {

    @Override
    protected Catalog openCatalog(Path dir) {
        return new DuckDbCatalog(dir.resolve("catalog.duckdb"));
    }
}
