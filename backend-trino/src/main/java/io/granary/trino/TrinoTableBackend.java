package io.granary.trino;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.ExportTarget;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.TableBackend;
import io.granary.core.util.SlicePipeline;
import io.granary.jdbc.SqlTables;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table rows on Trino over Apache Iceberg: one Iceberg schema per bucket and one table per table in the catalog
 * {@link TrinoLake} prepared, every visible column {@code varchar} plus the hidden {@code _timestamp}, names as
 * {@link TrinoNames} makes them. Granary parses and stages what it loads ({@link TrinoLoad}); Trino loads,
 * merges and exports. Each change is one Iceberg commit, so a failure leaves the table as it was; a column a
 * later load or {@link #addColumn} added is NULL in older rows and every read returns {@code ''} for it.
 *
 * <p>{@link TableStats#bytes()} is the size of the table's current data and delete files in the store
 * (compressed Parquet), known from Iceberg's metadata without reading the rows.
 */
public final class TrinoTableBackend implements TableBackend {

    private static final Logger LOG = LoggerFactory.getLogger(TrinoTableBackend.class);

    /** What the parts of the backend share. */
    record Context(TrinoClient client, TrinoBookkeeping books, TrinoLake lake, ObjectStore store, Path tmpDir) {

        TableStats stats(TableRef table) {
            try (Connection c = client.connect()) {
                return TrinoTableBackend.stats(c, lake, table);
            } catch (SQLException e) {
                throw TrinoClient.engine(e);
            }
        }

        /** Drops a transient table and deletes its prefix; never fails the caller (an interrupt included). */
        void cleanup(String transientTable, String prefix) {
            boolean interrupted = Thread.interrupted();
            try (Connection c = client.connect()) {
                TrinoClient.execute(c, "DROP TABLE IF EXISTS " + transientTable);
            } catch (SQLException | RuntimeException e) {
                LOG.warn("cannot drop transient table {}: {}", transientTable, e.toString());
            }
            try {
                store.deletePrefix(prefix);
            } catch (RuntimeException e) {
                LOG.warn("cannot delete staged objects under {}: {}", prefix, e.toString());
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private final Context ctx;
    private final TrinoMaintenance maintenance;
    private final SlicePipeline pipeline = new SlicePipeline();
    private final long sliceBytes;

    TrinoTableBackend(Context ctx, Duration maintenanceInterval, long sliceBytes) {
        this.ctx = ctx;
        this.sliceBytes = sliceBytes;
        this.maintenance = new TrinoMaintenance(ctx, maintenanceInterval);
    }

    Context context() {
        return ctx;
    }

    TrinoMaintenance maintenance() {
        return maintenance;
    }

    // ---- tables

    @Override
    public void createTable(TableRef table, List<String> columns) {
        checkTableName(table);
        SqlTables.checkNewColumns(columns);
        try (Connection c = ctx.client().connect()) {
            try {
                TrinoClient.execute(c, "CREATE SCHEMA IF NOT EXISTS " + ctx.lake().schema(table.bucketId()));
            } catch (SQLException e) {
                // IF NOT EXISTS does not cover another CREATE SCHEMA at the same moment: Trino then answers
                // SCHEMA_ALREADY_EXISTS, or the JDBC catalog's insert of the namespace fails ("Failed to create a
                // namespace"); either way the schema is there now
                if (e.getErrorCode() != TrinoClient.SCHEMA_ALREADY_EXISTS && !schemaExists(c, table.bucketId())) {
                    throw e;
                }
            }
            TrinoClient.execute(c, TrinoSql.createTable(ctx.lake().table(table.bucketId(), table.name()), columns));
            ctx.books().forgetTable(table.tableId());
        } catch (SQLException e) {
            if (e.getErrorCode() == TrinoClient.TABLE_ALREADY_EXISTS) {
                throw TrinoTables.alreadyExists(table);
            }
            throw TrinoClient.engine(e);
        }
    }

    private boolean schemaExists(Connection c, String bucketId) throws SQLException {
        return !TrinoClient.rows(c, "SELECT schema_name FROM " + TrinoSql.id(ctx.lake().iceberg)
                + ".information_schema.schemata WHERE schema_name = "
                + TrinoSql.literal(TrinoNames.object(bucketId))).isEmpty();
    }

    @Override
    public void dropTable(TableRef table) {
        try (Connection c = ctx.client().connect();
                TrinoBookkeeping.TableLock lock = ctx.books().lock(ctx.lake().table(table.bucketId(), table.name()))) {
            TrinoClient.execute(c, "DROP TABLE IF EXISTS " + ctx.lake().table(table.bucketId(), table.name()));
            ctx.books().forgetTable(table.tableId());
        } catch (SQLException e) {
            if (e.getErrorCode() == TrinoClient.SCHEMA_NOT_FOUND) {
                return;
            }
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public boolean exists(TableRef table) {
        try (Connection c = ctx.client().connect()) {
            return TrinoTables.exists(c, ctx.lake(), table);
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public List<String> columns(TableRef table) {
        try (Connection c = ctx.client().connect()) {
            return TrinoTables.columns(c, ctx.lake(), table);
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public void addColumn(TableRef table, String column) {
        SqlTables.checkNewColumns(List.of(column));
        try (Connection c = ctx.client().connect()) {
            if (TrinoTables.find(TrinoTables.columns(c, ctx.lake(), table), column) != null) {
                throw columnExists(table, column);
            }
            try (TrinoBookkeeping.TableLock lock = ctx.books().lock(ctx.lake().table(table.bucketId(), table.name()))) {
                TrinoClient.execute(c, TrinoSql.addColumn(ctx.lake().table(table.bucketId(), table.name()), column));
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == TrinoClient.COLUMN_ALREADY_EXISTS) {
                throw columnExists(table, column);
            }
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public void dropColumn(TableRef table, String column) {
        try (Connection c = ctx.client().connect()) {
            String existing = TrinoTables.find(TrinoTables.columns(c, ctx.lake(), table), column);
            if (existing == null) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                        "Column \"" + column + "\" not found in table \"" + table.tableId() + "\".");
            }
            try (TrinoBookkeeping.TableLock lock = ctx.books().lock(ctx.lake().table(table.bucketId(), table.name()))) {
                TrinoClient.execute(c, TrinoSql.dropColumn(ctx.lake().table(table.bucketId(), table.name()), existing));
            }
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public TableStats stats(TableRef table) {
        try (Connection c = ctx.client().connect()) {
            TrinoTables.columns(c, ctx.lake(), table);
            return stats(c, ctx.lake(), table);
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    static TableStats stats(Connection c, TrinoLake lake, TableRef table) throws SQLException {
        List<List<String>> rows = TrinoClient.rows(c, "SELECT (SELECT count(*) FROM " + lake.table(table.bucketId(),
                table.name()) + "), (SELECT coalesce(sum(file_size_in_bytes), 0) FROM " + TrinoSql.metadataTable(lake.iceberg,
                table.bucketId(), table.name(), "files") + ")");
        return new TableStats(Long.parseLong(rows.get(0).get(0)), Long.parseLong(rows.get(0).get(1)));
    }

    // ---- load

    @Override
    public LoadResult load(TableRef table, LoadRequest request, JobProgress progress) {
        SqlTables.checkNewColumns(request.fileColumns());
        try {
            return new TrinoLoad(ctx, table, request, progress).run();
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    // ---- reading

    @Override
    public boolean exports(FileType type) {
        return type == FileType.CSV || type == FileType.PARQUET;
    }

    @Override
    public ExportResult export(TableRef table, ExportRequest request, ExportTarget target) {
        try {
            return new TrinoTableExport(ctx, pipeline, sliceBytes).export(table, request, target);
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public List<List<String>> preview(TableRef table, List<String> columns, RowSelection selection, int limit) {
        try (Connection c = ctx.client().connect()) {
            List<String> all = TrinoTables.columns(c, ctx.lake(), table);
            List<String> picked = TrinoTables.pick(all, columns);
            List<List<String>> rows = TrinoClient.rows(c, "SELECT " + TrinoTables.reads(picked) + " FROM "
                    + ctx.lake().table(table.bucketId(), table.name()) + TrinoTables.where(all, selection) + " LIMIT "
                    + Math.max(0, limit));
            return rows.stream().map(row -> row.stream().map(v -> v == null ? "" : v).toList()).toList();
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public long deleteRows(TableRef table, RowSelection selection) {
        try (Connection c = ctx.client().connect()) {
            List<String> all = TrinoTables.columns(c, ctx.lake(), table);
            String where = TrinoTables.where(all, selection);
            try (TrinoBookkeeping.TableLock lock = ctx.books().lock(ctx.lake().table(table.bucketId(), table.name()));
                    var s = c.createStatement()) {
                return Math.max(0, s.executeLargeUpdate("DELETE FROM " + ctx.lake().table(table.bucketId(), table.name())
                        + where));
            }
        } catch (SQLException e) {
            throw TrinoClient.engine(e);
        }
    }

    @Override
    public void close() {
        maintenance.close();
        pipeline.close();
        ctx.books().close();
    }

    private static GranaryException columnExists(TableRef table, String column) {
        return new GranaryException(ErrorCode.COLUMN_ALREADY_EXISTS,
                "Column \"" + column + "\" already exists in table \"" + table.tableId() + "\".");
    }

    private static void checkTableName(TableRef table) {
        if (table.name().isEmpty() || table.bucketId().isEmpty() || table.name().indexOf('\0') >= 0
                || table.bucketId().indexOf('\0') >= 0) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid table name \"" + table.tableId() + "\".");
        }
    }
}
