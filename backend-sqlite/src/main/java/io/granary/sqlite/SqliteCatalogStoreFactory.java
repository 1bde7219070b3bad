package io.granary.sqlite;

import io.granary.core.port.CatalogStore;
import io.granary.core.port.CatalogStoreFactory;
import io.granary.core.port.StoreContext;
import java.nio.file.Path;

/**
 * {@code --catalog sqlite}, the default: the catalog and job queue of one node in {@code catalog.sqlite} under the
 * data directory. A {@code catalog.duckdb} of an earlier version found there is migrated into it on the first start.
 */
public final class SqliteCatalogStoreFactory implements CatalogStoreFactory {

    public static final String NAME = "sqlite";
    public static final String FILE = "catalog.sqlite";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public String describe(StoreContext context) {
        return "SQLite, " + context.dataDir().resolve(FILE);
    }

    @Override
    public CatalogStore open(StoreContext context) {
        Path file = context.dataDir().resolve(FILE);
        DuckDbCatalogMigration.migrateIfNeeded(context.dataDir(), file);
        // a reader per worker and as many again for the API's requests
        SqliteDatabase db = new SqliteDatabase(file, Math.max(4, 2 * context.workers()));
        try {
            SqliteCatalog catalog = new SqliteCatalog(db);
            SqliteJobQueue queue = new SqliteJobQueue(db, context.clock(), context.jobLease());
            return new Store(db, catalog, queue);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private record Store(SqliteDatabase db, SqliteCatalog catalog, SqliteJobQueue queue) implements CatalogStore {
        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
