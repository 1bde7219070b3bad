package io.granary.postgres;

import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import io.granary.core.port.StoreContext;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackendFactory;
import java.util.List;

/** {@code --backend postgres}: tables in the PostgreSQL database every node shares. */
public final class PostgresTableBackendFactory implements TableBackendFactory {

    @Override
    public String name() {
        return "postgres";
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
        return "PostgreSQL, " + PostgresSettings.config(context.settings(), 2).url();
    }

    @Override
    public TableBackend open(StoreContext context) {
        // a connection per job worker, and a few for previews and table reads
        return PostgresTableBackend.open(PostgresSettings.config(context.settings(), context.workers() + 4));
    }
}
