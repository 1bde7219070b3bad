package io.granary.postgres;

import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import io.granary.core.port.StoreContext;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackendFactory;
import io.granary.core.port.WorkspaceBackend;
import java.util.ArrayList;
import java.util.List;

/** {@code --backend postgres}: tables in the PostgreSQL database every node shares. */
public final class PostgresTableBackendFactory implements TableBackendFactory {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public List<Setting> settings() {
        List<Setting> all = new ArrayList<>(PostgresSettings.ALL);
        all.add(WorkspaceBackend.HOST);
        all.add(PostgresSettings.WORKSPACE_PORT_SETTING);
        return all;
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

    /** A schema and a login role per workspace, in the tables' database. */
    @Override
    public WorkspaceBackend openWorkspaces(StoreContext context, TableBackend tables) {
        Settings settings = context.settings();
        PostgresConfig config = PostgresSettings.config(settings, 2);
        PostgresSettings.Address address = PostgresSettings.workspaceAddress(settings, config.url());
        return new PostgresWorkspaceBackend(((PostgresTableBackend) tables).database(), address.host(), address.port(),
                PostgresTableBackend.DEFAULT_SLICE_BYTES);
    }
}
