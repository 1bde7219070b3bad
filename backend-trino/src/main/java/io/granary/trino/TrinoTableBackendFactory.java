package io.granary.trino;

import io.granary.core.port.EngineAccess;
import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import io.granary.core.port.StoreContext;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackendFactory;
import io.granary.core.port.WorkspaceBackend;
import java.util.List;

/**
 * {@code --backend trino}: tables on a Trino coordinator ({@code --trino-url}) over Iceberg, with Iceberg's
 * catalog in Granary's PostgreSQL ({@code --postgres-url}) and the data in Granary's bucket, which Trino reaches
 * with the store's engine key ({@link EngineAccess}). At start the backend creates the Trino catalogs it needs
 * unless they exist ({@link TrinoLake}).
 */
public final class TrinoTableBackendFactory implements TableBackendFactory {

    /** Size after which an ordered export (written by Granary) starts a new slice. */
    static final long SLICE_BYTES = 256L << 20;

    @Override
    public String name() {
        return "trino";
    }

    /** Iceberg's catalog, the load records and the table locks are in Granary's PostgreSQL, beside its catalog. */
    @Override
    public boolean needsSharedCatalog() {
        return true;
    }

    @Override
    public List<Setting> settings() {
        List<Setting> all = new java.util.ArrayList<>(TrinoSettings.ALL);
        all.add(WorkspaceBackend.HOST);
        return all;
    }

    @Override
    public void check(Settings settings) {
        TrinoSettings.config(settings);
    }

    @Override
    public String describe(StoreContext context) {
        TrinoSettings.Config config = TrinoSettings.config(context.settings());
        return "Trino " + config.url() + ", Iceberg catalog " + config.catalog() + " (metadata in " + config.postgresUrl()
                + ")";
    }

    @Override
    public TableBackend open(StoreContext context) {
        TrinoSettings.Config config = TrinoSettings.config(context.settings());
        if (!(context.objects() instanceof EngineAccess access)) {
            throw new IllegalStateException("--backend trino needs an object store Trino can reach itself (S3); this one"
                    + " cannot give an engine its address and key.");
        }
        EngineAccess.S3Endpoint s3 = access.engineEndpoint();
        if (config.s3Endpoint() != null) {
            s3 = s3.at(config.s3Endpoint());
        }
        // a held table lock and a load record per job worker, and some for maintenance and reads
        TrinoBookkeeping books = TrinoBookkeeping.open(config.postgresUrl(), config.postgresUser(), config.postgresPassword(),
                2 * context.workers() + 4);
        try {
            TrinoClient client = new TrinoClient(config);
            TrinoLake lake = TrinoLake.prepare(client, books, config, s3);
            return new TrinoTableBackend(new TrinoTableBackend.Context(client, books, lake, context.objects(),
                    context.tmpDir()), config.maintenanceInterval(), SLICE_BYTES);
        } catch (RuntimeException e) {
            books.close();
            throw e;
        }
    }

    /**
     * A schema and a Trino user per workspace, when Granary keeps Trino's users ({@code --trino-security-dir});
     * without it the workspace API answers 501. Clients are told the Trino URL's host and port (or
     * {@code --workspace-host}; a loopback host becomes the node's public host).
     */
    @Override
    public WorkspaceBackend openWorkspaces(StoreContext context, TableBackend tables) {
        TrinoSettings.Config config = TrinoSettings.config(context.settings());
        if (config.securityDir() == null) {
            return null;
        }
        TrinoTableBackend.Context ctx = ((TrinoTableBackend) tables).context();
        String host = context.settings().get(WorkspaceBackend.HOST.name());
        if (host == null) {
            String urlHost = config.url().getHost();
            boolean loopback = urlHost.equals("localhost") || urlHost.startsWith("127.") || urlHost.equals("[::1]");
            host = loopback ? context.settings().get(WorkspaceBackend.PUBLIC_HOST, "localhost") : urlHost;
        }
        return new TrinoWorkspaceBackend(ctx.client(), ctx.lake(), new TrinoAccessFiles(config.securityDir(), config.user()),
                host.strip(), String.valueOf(config.port()), SLICE_BYTES);
    }
}
