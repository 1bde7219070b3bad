package io.granary.trino;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Granary's Iceberg tables small and fast in the background: every {@code --trino-maintenance-interval}
 * (default 1 h; 0 turns it off) one node runs a pass over all tables of the catalog (the pass is claimed in
 * PostgreSQL, so several nodes share one schedule). For each table it holds the table's lock (a table a load is
 * writing is skipped until the next pass) and
 * <ul>
 *   <li>compacts it ({@code optimize}) when it has merge-on-read delete files (what MERGE and DELETE leave) or
 *       {@value #SMALL_FILES} or more data files, so reads do not slow down as loads pile up;</li>
 *   <li>expires snapshots older than {@value #SNAPSHOT_RETENTION} ({@code expire_snapshots}), which deletes the
 *       files only they used (a full load's replaced rows, compacted files);</li>
 *   <li>removes files no snapshot references that are older than {@value #ORPHAN_RETENTION}
 *       ({@code remove_orphan_files}: what a write that failed or was killed left).</li>
 * </ul>
 */
final class TrinoMaintenance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrinoMaintenance.class);

    static final String SNAPSHOT_RETENTION = "1d";
    static final String ORPHAN_RETENTION = "7d";
    static final int SMALL_FILES = 16;

    private final TrinoTableBackend.Context ctx;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;

    TrinoMaintenance(TrinoTableBackend.Context ctx, Duration interval) {
        this.ctx = ctx;
        this.interval = interval;
        if (interval.isZero()) {
            scheduler = null;
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "granary-trino-maintenance");
            t.setDaemon(true);
            return t;
        });
        long every = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::scheduledPass, every, every, TimeUnit.MILLISECONDS);
    }

    private void scheduledPass() {
        try {
            // a little less than the interval: nodes' clocks and schedules drift
            if (ctx.books().claimMaintenance(ctx.lake().iceberg, interval.multipliedBy(9).dividedBy(10))) {
                int compacted = pass();
                LOG.info("Trino maintenance pass done: {} table(s) compacted", compacted);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Trino maintenance pass failed; the next one retries: {}", e.toString());
        }
    }

    /** One pass over every table now; returns how many were compacted. A table that fails is logged and skipped. */
    int pass() throws SQLException {
        List<List<String>> tables;
        try (Connection c = ctx.client().connect()) {
            tables = TrinoClient.rows(c, "SELECT table_schema, table_name FROM " + TrinoSql.id(ctx.lake().iceberg)
                    + ".information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema <> 'information_schema'");
        }
        int compacted = 0;
        for (List<String> t : tables) {
            String table = TrinoSql.id(ctx.lake().iceberg) + "." + TrinoSql.id(t.get(0)) + "." + TrinoSql.id(t.get(1));
            try {
                compacted += maintain(table, t.get(0), t.get(1)) ? 1 : 0;
            } catch (SQLException | RuntimeException e) {
                LOG.warn("maintenance of Trino table {} failed: {}", table, e.toString());
            }
        }
        return compacted;
    }

    /** Compacts (if needed) and expires one table unless a write holds it; returns whether it was compacted. */
    boolean maintain(String table, String schema, String name) throws SQLException {
        Optional<TrinoBookkeeping.TableLock> lock = ctx.books().tryLock(table);
        if (lock.isEmpty()) {
            return false;
        }
        try (TrinoBookkeeping.TableLock held = lock.get(); Connection c = ctx.client().connect("granary-maintenance")) {
            String files = TrinoSql.id(ctx.lake().iceberg) + "." + TrinoSql.id(schema) + "." + TrinoSql.id(name + "$files");
            List<String> counts = TrinoClient.rows(c, "SELECT count_if(content <> 0), count_if(content = 0) FROM " + files)
                    .get(0);
            boolean compact = Long.parseLong(counts.get(0)) > 0 || Long.parseLong(counts.get(1)) >= SMALL_FILES;
            if (compact) {
                TrinoClient.execute(c, TrinoSql.optimize(table));
            }
            TrinoClient.execute(c, TrinoSql.expireSnapshots(table, SNAPSHOT_RETENTION),
                    TrinoSql.removeOrphanFiles(table, ORPHAN_RETENTION));
            return compact;
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
