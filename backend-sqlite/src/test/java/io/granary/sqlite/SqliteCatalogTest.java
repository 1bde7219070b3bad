package io.granary.sqlite;

import io.granary.core.port.Catalog;
import io.granary.core.port.CatalogContract;
import java.nio.file.Path;

class SqliteCatalogTest extends CatalogContract {

    @Override
    protected Catalog openCatalog(Path dir) {
        return new SqliteCatalog(dir.resolve("catalog.sqlite"));
    }
}
