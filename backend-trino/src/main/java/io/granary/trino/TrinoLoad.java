package io.granary.trino;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.LoadResult;
import io.granary.core.port.TableBackend.TableStats;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load into a Trino table:
 * <ol>
 *   <li>Granary parses, validates and numbers the rows and stages them as gzip JSON lines under a prefix of its
 *       own ({@link TrinoStaging}), read through a transient Hive table;</li>
 *   <li>under the table's lock (maintenance waits) and recorded as running with the source its Trino queries
 *       carry, one statement changes the table: {@code CREATE OR REPLACE TABLE … AS SELECT} for a full load (the
 *       new columns come with it), {@code INSERT} or {@code MERGE} for an incremental one, after {@code ADD
 *       COLUMN}s that are dropped again when it fails;</li>
 *   <li>the record becomes done; the transient table and the prefix are removed whatever happened.</li>
 * </ol>
 * Iceberg commits each statement atomically, so the table has the old rows or the new ones. A statement that
 * fails in a way that leaves its fate unknown (the connection broke, the job was interrupted) is looked up in
 * the table's snapshots by its query id before anything is undone. A retried job (same load id) finds a done
 * load and applies nothing, or an unfinished one: it kills that attempt's queries still running, takes its
 * commit if it made one, and otherwise undoes its added columns and loads again.
 */
final class TrinoLoad {

    private static final Logger LOG = LoggerFactory.getLogger(TrinoLoad.class);
    /** Rows per staged part: each part is one split of Trino's scan (gzip cannot be split). */
    static final long ROWS_PER_PART = 250_000;

    private final TrinoTableBackend.Context ctx;
    private final TableRef table;
    private final LoadRequest request;
    private final JobProgress progress;
    private final String target;

    TrinoLoad(TrinoTableBackend.Context ctx, TableRef table, LoadRequest request, JobProgress progress) {
        this.ctx = ctx;
        this.table = table;
        this.request = request;
        this.progress = progress;
        this.target = ctx.lake().table(table.bucketId(), table.name());
    }

    LoadResult run() throws SQLException {
        if (request.dialect().delimiter() == request.dialect().enclosure()) {
            throw new GranaryException(ErrorCode.INVALID_CSV, "The delimiter and the enclosure must differ.");
        }
        List<String> existing;
        try (Connection c = ctx.client().connect()) {
            existing = TrinoTables.columns(c, ctx.lake(), table);
        }
        if (request.loadId() != null) {
            Optional<LoadResult> applied = earlierAttempt(existing);
            if (applied.isPresent()) {
                return applied.get();
            }
            existing = columnsNow();
        }
        List<String> added = new ArrayList<>();
        List<String> fileColumns = new ArrayList<>();
        for (String name : request.fileColumns()) {
            String col = TrinoTables.find(existing, name);
            if (col == null) {
                col = name;
                added.add(col);
            }
            fileColumns.add(col);
        }
        List<String> finalColumns = new ArrayList<>(existing);
        finalColumns.addAll(added);
        List<String> primaryKey = new ArrayList<>();
        for (String pk : request.primaryKey()) {
            String col = TrinoTables.find(finalColumns, pk);
            if (col == null) {
                throw new GranaryException(ErrorCode.INVALID_PRIMARY_KEY,
                        "Primary key column \"" + pk + "\" is not a column of the table or the file.");
            }
            primaryKey.add(col);
        }

        String job = UUID.randomUUID().toString().replace("-", "");
        String prefix = TrinoLake.STAGING + job + "/";
        String staged = ctx.lake().transientTable("load_" + job);
        try {
            TrinoStaging.Staged rows = TrinoStaging.stage(ctx.store(), prefix, request.files(), request.header(),
                    request.dialect(), fileColumns.size(), ROWS_PER_PART, ctx.tmpDir(), progress);
            try (Connection c = ctx.client().connect()) {
                TrinoClient.execute(c, TrinoStaging.createTable(staged, fileColumns.size(), ctx.lake().location(prefix)));
            }
            checkInterrupted();
            String sql = request.incremental()
                    ? primaryKey.isEmpty() ? TrinoSql.insert(target, fileColumns, staged, request.timestamp())
                            : TrinoSql.merge(target, finalColumns, fileColumns, primaryKey, staged,
                                    request.timestamp())
                    : TrinoSql.fullLoad(target, finalColumns, fileColumns, primaryKey, staged, request.timestamp());
            long loaded = apply(sql, request.incremental() ? added : List.of(), added, rows.rows());
            TableStats stats = ctx.stats(table);
            return new LoadResult(loaded, added, finalColumns, stats.rows(), stats.bytes());
        } finally {
            ctx.cleanup(staged, prefix);
        }
    }

    /** Runs the load statement under the table's lock; returns the rows it loaded. */
    private long apply(String sql, List<String> columnsToAdd, List<String> added, long stagedRows) throws SQLException {
        String source = "granary-load-" + UUID.randomUUID();
        AtomicReference<String> queryId = new AtomicReference<>();
        try (TrinoBookkeeping.TableLock lock = ctx.books().lock(target);
                Connection c = ctx.client().connect(source)) {
            if (request.loadId() != null) {
                ctx.books().startLoad(table.tableId(), request.loadId(), source, stagedRows, added);
            }
            long loaded;
            try {
                loaded = TrinoLoads.withAddedColumns(c, target, columnsToAdd, sql, id -> {
                    queryId.set(id);
                    recordQueryId(id);
                }, () -> committed(queryId.get()));
            } catch (SQLException e) {
                forget();
                throw Thread.currentThread().isInterrupted() ? interrupted() : TrinoClient.engine(e);
            } catch (RuntimeException e) {
                forget();
                throw Thread.currentThread().isInterrupted() ? interrupted() : e;
            }
            if (request.loadId() != null) {
                ctx.books().finishLoad(table.tableId(), request.loadId(), loaded);
            }
            return loaded;
        }
    }

    /** The rows the query committed, if its commit is in the table's snapshots. */
    private Optional<Long> committed(String queryId) {
        if (queryId == null) {
            return Optional.empty();
        }
        return withoutInterrupt(() -> {
            try (Connection c = ctx.client().connect()) {
                return TrinoLoads.committedBy(c, ctx.lake().iceberg, table.bucketId(), table.name(), queryId)
                        .map(TrinoLoads.Snapshot::addedRows);
            }
        });
    }

    private void recordQueryId(String id) {
        if (request.loadId() == null) {
            return;
        }
        try {
            ctx.books().recordQueryId(table.tableId(), request.loadId(), id);
        } catch (SQLException e) {
            // the attempt's source still finds the query while Trino remembers it
            LOG.warn("cannot record Trino query {} of load {}: {}", id, request.loadId(), e.toString());
        }
    }

    private void forget() {
        if (request.loadId() == null) {
            return;
        }
        withoutInterrupt(() -> {
            ctx.books().forgetLoad(table.tableId(), request.loadId());
            return null;
        });
    }

    /**
     * A load recorded under this load id: done (nothing to apply), or left running by an earlier attempt that
     * crashed: its queries still running are killed; if it committed, that is the result; otherwise its added
     * columns are dropped again and the load runs anew.
     */
    private Optional<LoadResult> earlierAttempt(List<String> existing) throws SQLException {
        Optional<TrinoBookkeeping.LoadRecord> found = ctx.books().findLoad(table.tableId(), request.loadId());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TrinoBookkeeping.LoadRecord record = found.get();
        if (record.done()) {
            return Optional.of(result(record.loadedRows(), record.addedColumns(), existing));
        }
        LOG.info("load {} of {} was interrupted before; looking for what it committed", request.loadId(), table.tableId());
        try (Connection c = ctx.client().connect()) {
            List<String> queries = new ArrayList<>();
            if (record.queryId() != null) {
                queries.add(record.queryId());
            }
            for (String id : TrinoLoads.runningFrom(c, record.source())) {
                TrinoLoads.kill(c, id, "a retry of Granary load " + request.loadId() + " replaces it");
            }
            queries.addAll(TrinoLoads.queriesFrom(c, record.source()));
            for (String id : queries) {
                Optional<TrinoLoads.Snapshot> commit = TrinoLoads.committedBy(c, ctx.lake().iceberg, table.bucketId(),
                        table.name(), id);
                if (commit.isPresent()) {
                    ctx.books().finishLoad(table.tableId(), request.loadId(), commit.get().addedRows());
                    return Optional.of(result(commit.get().addedRows(), record.addedColumns(), existing));
                }
            }
            try (TrinoBookkeeping.TableLock lock = ctx.books().lock(target)) {
                List<String> left = new ArrayList<>(record.addedColumns());
                Collections.reverse(left);
                for (String column : left) {
                    String col = TrinoTables.find(existing, column);
                    if (col != null) {
                        TrinoLoads.execute(c, TrinoSql.dropColumn(target, col), id -> { });
                    }
                }
            }
        }
        ctx.books().forgetLoad(table.tableId(), request.loadId());
        return Optional.empty();
    }

    private List<String> columnsNow() throws SQLException {
        try (Connection c = ctx.client().connect()) {
            return TrinoTables.columns(c, ctx.lake(), table);
        }
    }

    private LoadResult result(long loaded, List<String> added, List<String> columns) {
        TableStats stats = ctx.stats(table);
        return new LoadResult(loaded, added, columns, stats.rows(), stats.bytes());
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted();
        }
    }

    static GranaryException interrupted() {
        return new GranaryException(ErrorCode.JOB_INTERRUPTED, "The load was interrupted; the table is unchanged.");
    }

    /** Work that must reach Trino or PostgreSQL even when the job is being interrupted. */
    interface Work<T> {
        T run() throws SQLException;
    }

    static <T> T withoutInterrupt(Work<T> work) {
        boolean interrupted = Thread.interrupted();
        try {
            return work.run();
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
