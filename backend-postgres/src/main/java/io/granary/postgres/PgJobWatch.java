package io.granary.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this node's idle workers when any node submitted a job: a submission sends {@code NOTIFY granary_jobs}
 * after its insert commits, and one thread per node listens on a connection of its own. Losing that connection
 * only costs speed (workers still poll), so the watch reconnects and never fails the node.
 */
final class PgJobWatch implements AutoCloseable {

    static final String CHANNEL = "granary_jobs";

    private static final Logger LOG = LoggerFactory.getLogger(PgJobWatch.class);
    private static final int WAIT_MILLIS = 1000;
    private static final long RECONNECT_MILLIS = 2000;

    private final PostgresDatabase database;
    private final Runnable onSubmitted;
    private final Thread thread;
    private volatile boolean open = true;

    private PgJobWatch(PostgresDatabase database, Runnable onSubmitted) {
        this.database = database;
        this.onSubmitted = onSubmitted;
        this.thread = new Thread(this::listen, "granary-job-watch");
        thread.setDaemon(true);
    }

    static PgJobWatch start(PostgresDatabase database, Runnable onSubmitted) {
        PgJobWatch watch = new PgJobWatch(database, onSubmitted);
        watch.thread.start();
        return watch;
    }

    static void notifySubmitted(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("NOTIFY " + CHANNEL);
        }
    }

    private void listen() {
        while (open) {
            try (Connection c = database.connectUnpooled()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                // a job submitted while this node was not listening is found by the next poll; this one is at once
                onSubmitted.run();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (open) {
                    PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
                    if (got != null && got.length > 0) {
                        onSubmitted.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!open) {
                    return;
                }
                LOG.warn("not listening for jobs of other nodes (workers poll meanwhile); retrying: {}", e.toString());
                try {
                    Thread.sleep(RECONNECT_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        thread.join(WAIT_MILLIS * 3L);
    }
}
