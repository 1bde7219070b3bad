package io.granary.server;

import io.granary.core.port.Catalog;
import io.granary.core.port.JobQueue;
import io.granary.core.port.TableBackend;
import io.granary.duckdb.DuckDbCatalog;
import io.granary.duckdb.DuckDbDatabase;
import io.granary.duckdb.DuckDbJobQueue;
import io.granary.duckdb.DuckDbTableBackend;
import io.granary.postgres.PostgresCatalog;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.PostgresDatabase;
import io.granary.postgres.PostgresJobQueue;
import io.granary.postgres.PostgresTableBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The catalog, job queue and table backend of a node, opened by the config's kinds. The job queue
 * lives with the catalog: on PostgreSQL it is shared by every node on the database.
 */
final class Stores implements AutoCloseable {

    private final List<AutoCloseable> opened = new ArrayList<>();
    Catalog catalog;
    JobQueue queue;
    TableBackend backend;
    boolean sharedQueue;

    static Stores open(ServerConfig config, Path dataDir, Path tmp, Clock clock) {
        Stores s = new Stores();
        try {
            if (config.catalog().equals(ServerConfig.POSTGRES)) {
                // catalog reads are many and short: a pool of their own, so long loads never starve them
                PostgresDatabase db = s.track(new PostgresDatabase(pool(config.postgres(), 8)));
                s.catalog = s.track(new PostgresCatalog(db));
                s.queue = new PostgresJobQueue(db, clock, config.jobLease());
                s.sharedQueue = true;
            } else {
                DuckDbDatabase db = s.track(new DuckDbDatabase(dataDir.resolve("catalog.duckdb")));
                s.catalog = s.track(new DuckDbCatalog(db));
                s.queue = s.track(new DuckDbJobQueue(db, clock, config.jobLease()));
            }
            if (config.backend().equals(ServerConfig.POSTGRES)) {
                PostgresDatabase db = s.track(new PostgresDatabase(pool(config.postgres(), config.workers() + 4)));
                s.backend = s.track(new PostgresTableBackend(db));
            } else {
                DuckDbDatabase db = s.track(new DuckDbDatabase(dataDir.resolve("tables.duckdb")));
                s.backend = s.track(new DuckDbTableBackend(db, tmp, config.duckDbMemory(),
                        DuckDbTableBackend.DEFAULT_SLICE_BYTES));
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static PostgresConfig pool(PostgresConfig config, int size) {
        return new PostgresConfig(config.url(), config.user(), config.password(), Math.max(2, size));
    }

    private <T extends AutoCloseable> T track(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    @Override
    public void close() {
        List<AutoCloseable> reversed = new ArrayList<>(opened);
        Collections.reverse(reversed);
        opened.clear();
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing at shutdown or after a failed start: nothing more to do
            }
        }
    }
}
