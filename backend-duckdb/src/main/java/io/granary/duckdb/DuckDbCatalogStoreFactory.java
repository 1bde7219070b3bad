package io.granary.duckdb;

import io.granary.core.port.CatalogStore;
import io.granary.core.port.CatalogStoreFactory;
import io.granary.core.port.StoreContext;

/** {@code --catalog duckdb}: the catalog and job queue of one node, in {@code catalog.duckdb} under the data directory. */
public final class DuckDbCatalogStoreFactory implements CatalogStoreFactory {

    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String describe(StoreContext context) {
        return "DuckDB, " + context.dataDir().resolve("catalog.duckdb");
    }

    @Override
    public CatalogStore open(StoreContext context) {
        DuckDbDatabase db = new DuckDbDatabase(context.dataDir().resolve("catalog.duckdb"));
        DuckDbCatalog catalog = null;
        try {
            catalog = new DuckDbCatalog(db);
            DuckDbJobQueue queue = new DuckDbJobQueue(db, context.clock(), context.jobLease());
            return new Store(db, catalog, queue);
        } catch (RuntimeException e) {
            if (catalog != null) {
                catalog.close();
            }
            db.close();
            throw e;
        }
    }

    private record Store(DuckDbDatabase db, DuckDbCatalog catalog, DuckDbJobQueue queue) implements CatalogStore {
        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public void close() {
            queue.close();
            catalog.close();
            db.close();
        }
    }
}
