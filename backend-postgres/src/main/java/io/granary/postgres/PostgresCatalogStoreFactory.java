package io.granary.postgres;

import io.granary.core.port.CatalogStore;
import io.granary.core.port.CatalogStoreFactory;
import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import io.granary.core.port.StoreContext;
import java.util.List;

/** {@code --catalog postgres}: the catalog and job queue every node on the database shares. */
public final class PostgresCatalogStoreFactory implements CatalogStoreFactory {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public List<Setting> settings() {
        return PostgresSettings.ALL;
    }

    @Override
    public void check(Settings settings) {
        PostgresSettings.config(settings, 2);
    }

    @Override
    public String describe(StoreContext context) {
        return "PostgreSQL, " + PostgresSettings.config(context.settings(), 2).url() + " (shared by every node)";
    }

    @Override
    public CatalogStore open(StoreContext context) {
        // catalog reads are many and short: a pool of their own, so long loads never starve them
        PostgresDatabase db = new PostgresDatabase(PostgresSettings.config(context.settings(), 8));
        try {
            return new Store(db, new PostgresCatalog(db), new PostgresJobQueue(db, context.clock(), context.jobLease()));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private record Store(PostgresDatabase db, PostgresCatalog catalog, PostgresJobQueue queue) implements CatalogStore {
        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public void close() {
            catalog.close();
            db.close();
        }
    }
}
