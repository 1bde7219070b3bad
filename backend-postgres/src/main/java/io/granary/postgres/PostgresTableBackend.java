package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.ExportTarget;
import io.granary.core.util.SlicePipeline;
import io.granary.jdbc.CsvParquet;
import io.granary.jdbc.SqlValues;
import io.granary.jdbc.Transactions;
import io.granary.postgres.PgTables.Column;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Table rows in PostgreSQL: one schema per bucket (named by the bucket id), one table per table, every
 * visible column {@code TEXT COLLATE "C" NOT NULL DEFAULT ''} and a hidden {@code _timestamp TIMESTAMPTZ}.
 * Names longer than PostgreSQL's 63 bytes are shortened as {@link PgNames} describes.
 *
 * <p>A load runs in one transaction: the files stream through COPY into a staging table created in it,
 * then the target is replaced (full load) or upserted (incremental) and the load id recorded, so a failed
 * or killed load leaves nothing behind. Exports stream through {@code COPY ... TO STDOUT}. Each call
 * takes its own pooled connection, so calls for different tables run in parallel.
 *
 * <p>{@link LoadResult#loadedRows()} counts the rows the load put into the table (after de-duplication
 * by primary key). {@link TableStats#bytes()} is {@code pg_table_size}: what the table takes on disk,
 * known without reading it (DuckDB's backend sums the value lengths, which needs a full scan).
 */
public final class PostgresTableBackend implements TableBackend {

    /** Default size after which an export starts a new slice. */
    public static final long DEFAULT_SLICE_BYTES = 256L << 20;

    private final PostgresDatabase database;
    private final boolean ownsDatabase;
    private final long sliceBytes;
    private final SlicePipeline pipeline = new SlicePipeline();

    /** Tables in {@code database}, exports in slices of {@link #DEFAULT_SLICE_BYTES}. */
    public PostgresTableBackend(PostgresDatabase database) {
        this(database, DEFAULT_SLICE_BYTES);
    }

    /** @param sliceBytes about how big an export slice gets before the next one starts */
    public PostgresTableBackend(PostgresDatabase database, long sliceBytes) {
        this(database, false, sliceBytes);
    }

    /** Tables on a pool of their own to {@code config}'s database, which {@link #close()} closes. */
    public static PostgresTableBackend open(PostgresConfig config) {
        PostgresDatabase database = new PostgresDatabase(config);
        try {
            return new PostgresTableBackend(database, true, DEFAULT_SLICE_BYTES);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private PostgresTableBackend(PostgresDatabase database, boolean ownsDatabase, long sliceBytes) {
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.sliceBytes = Math.max(1, sliceBytes);
        try (Connection c = database.connect()) {
            checkEncoding(c);
            dropLeftoverStaging(c);
        } catch (SQLException e) {
            pipeline.close();
            throw engine(e);
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    /** The pool the tables are on (workspaces on this engine share it). */
    PostgresDatabase database() {
        return database;
    }

    private static void checkEncoding(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_encoding")) {
            rs.next();
            if (!"UTF8".equalsIgnoreCase(rs.getString(1))) {
                throw new GranaryException(ErrorCode.INTERNAL, "The PostgreSQL database must use the UTF8 encoding"
                        + " (it uses " + rs.getString(1) + "); create it with ENCODING 'UTF8'.");
            }
        }
    }

    // A load creates its staging table inside its own transaction, so other nodes never see it and a
    // killed load's table goes with its rollback: a committed one can only be a leftover (of an older
    // version or a manual run), and dropping it cannot hurt a load that is running elsewhere.
    private static void dropLeftoverStaging(Connection c) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT n.nspname, r.relname FROM pg_catalog.pg_class r"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                    + " WHERE r.relkind = 'r' AND left(r.relname, " + PgTables.STAGING_PREFIX.length() + ") = "
                    + PgNames.lit(PgTables.STAGING_PREFIX)
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')")) {
                while (rs.next()) {
                    leftovers.add(q(rs.getString(1)) + "." + q(rs.getString(2)));
                }
            }
            for (String table : leftovers) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    // ---- tables

    @Override
    public void createTable(TableRef table, List<String> columns) {
        PgTables.checkTableName(table);
        PgTables.checkNewColumns(columns);
        List<Column> cols = columns.stream().map(Column::of).toList();
        try (Connection c = database.connect()) {
            if (PgTables.exists(c, table)) {
                throw alreadyExists(table);
            }
            PgTables.ensureSchema(c, table.bucketId());
            String name = PgNames.table(table);
            StringBuilder sql = new StringBuilder("CREATE TABLE ").append(name).append(" (");
            for (Column col : cols) {
                sql.append(PgTables.columnDdl(col)).append(", ");
            }
            sql.append(q(TIMESTAMP_COLUMN)).append(" TIMESTAMPTZ)");
            inTransaction(c, s -> {
                s.execute(sql.toString());
                PgTables.comment(s, name, cols);
            });
        } catch (SQLException e) {
            // a CREATE TABLE racing another one fails with duplicate_table or a unique violation in pg_type
            if ("42P07".equals(e.getSQLState()) || "23505".equals(e.getSQLState())) {
                throw alreadyExists(table);
            }
            throw engine(e);
        }
    }

    @Override
    public void dropTable(TableRef table) {
        try (Connection c = database.connect()) {
            inTransaction(c, s -> {
                s.execute("DROP TABLE IF EXISTS " + PgNames.table(table));
                try (PreparedStatement forget = c.prepareStatement("DELETE FROM table_loads WHERE table_id = ?")) {
                    forget.setString(1, table.tableId());
                    forget.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public boolean exists(TableRef table) {
        try (Connection c = database.connect()) {
            return PgTables.exists(c, table);
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public List<String> columns(TableRef table) {
        try (Connection c = database.connect()) {
            return PgTables.names(PgTables.columns(c, table));
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public void addColumn(TableRef table, String column) {
        PgTables.checkNewColumns(List.of(column));
        try (Connection c = database.connect()) {
            List<Column> existing = PgTables.columns(c, table);
            if (PgTables.find(existing, column) != null) {
                throw new GranaryException(ErrorCode.COLUMN_ALREADY_EXISTS,
                        "Column \"" + column + "\" already exists in table \"" + table.tableId() + "\".");
            }
            String name = PgNames.table(table);
            Column col = Column.of(column);
            // with a constant default PostgreSQL only changes the catalog: no rewrite of the rows
            inTransaction(c, s -> {
                s.execute("ALTER TABLE " + name + " ADD COLUMN " + PgTables.columnDdl(col));
                PgTables.comment(s, name, List.of(col));
            });
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public void dropColumn(TableRef table, String column) {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            Column existing = PgTables.find(PgTables.columns(c, table), column);
            if (existing == null) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                        "Column \"" + column + "\" not found in table \"" + table.tableId() + "\".");
            }
            s.execute("ALTER TABLE " + PgNames.table(table) + " DROP COLUMN " + q(existing.physical()));
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public TableStats stats(TableRef table) {
        try (Connection c = database.connect()) {
            PgTables.columns(c, table);
            return stats(c, table);
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    /** The table's size on disk, from the catalog. */
    static long bytes(Connection c, TableRef table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_table_size(" + PgNames.lit(PgNames.table(table)) + "::regclass)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Exact row count (a scan) and the size on disk (from the catalog). */
    static TableStats stats(Connection c, TableRef table) throws SQLException {
        String name = PgNames.table(table);
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM " + name + "), pg_table_size("
                        + PgNames.lit(name) + "::regclass)")) {
            rs.next();
            return new TableStats(rs.getLong(1), rs.getLong(2));
        }
    }

    // ---- load

    @Override
    public LoadResult load(TableRef table, LoadRequest request, JobProgress progress) {
        PgTables.checkNewColumns(request.fileColumns());
        try (Connection c = database.connect()) {
            return new PgLoad(c, table, request, progress).run();
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    // ---- reading

    /** CSV and Parquet. */
    @Override
    public boolean exports(FileType type) {
        return type == FileType.CSV || type == FileType.PARQUET;
    }

    @Override
    public ExportResult export(TableRef table, ExportRequest request, ExportTarget target) {
        try (Connection c = database.connect()) {
            List<Column> all = PgTables.columns(c, table);
            List<Column> columns = PgSelection.pick(all, request.columns());
            List<String> outColumns = new ArrayList<>(PgTables.names(columns));
            StringBuilder sql = new StringBuilder("SELECT ").append(PgNames.list(PgTables.physical(columns)));
            if (request.includeTimestamp()) {
                sql.append(", COALESCE(to_char(").append(q(TIMESTAMP_COLUMN))
                        .append(" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '')");
                outColumns.add(TIMESTAMP_COLUMN);
            }
            sql.append(" FROM ").append(PgNames.table(table))
                    .append(PgSelection.where(all, request.selection(), SqlValues.literals(PgTables.DIALECT)));
            if (!request.orderBy().isEmpty()) {
                sql.append(" ORDER BY ").append(PgNames.list(PgTables.physical(PgSelection.pick(all, request.orderBy()))));
            }
            if (request.limit() != null) {
                sql.append(" LIMIT ").append(Math.max(0, request.limit()));
            }
            boolean parquet = request.fileType() == FileType.PARQUET;
            SlicePipeline.Step step = parquet ? CsvParquet.step(outColumns, request.gzip())
                    : request.gzip() ? SlicePipeline.GZIP : SlicePipeline.KEEP;
            String extension = parquet ? ".parquet" : request.gzip() ? ".csv.gz" : ".csv";
            List<CompletableFuture<String>> stored = new ArrayList<>();
            long rows;
            try {
                long cut = SlicePipeline.plainSliceBytes(sliceBytes, step != SlicePipeline.KEEP);
                rows = PgCopy.export(c, sql.toString(), target.scratchDir(), cut, slice -> stored.add(
                        pipeline.submit(slice, step, target, ExportTarget.sliceName(stored.size(), extension))));
            } catch (SQLException | IOException | RuntimeException e) {
                // nothing may still be writing when the caller removes what the export left
                SlicePipeline.awaitQuietly(stored);
                throw e;
            }
            return new ExportResult(SlicePipeline.await(stored), rows, outColumns);
        } catch (SQLException e) {
            throw engine(e);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot write the export: " + e.getMessage(), e);
        }
    }

    @Override
    public List<List<String>> preview(TableRef table, List<String> columns, RowSelection selection, int limit) {
        try (Connection c = database.connect()) {
            List<Column> all = PgTables.columns(c, table);
            List<Column> picked = PgSelection.pick(all, columns);
            SqlValues values = SqlValues.parameters(PgTables.DIALECT);
            String sql = "SELECT " + PgNames.list(PgTables.physical(picked)) + " FROM " + PgNames.table(table)
                    + PgSelection.where(all, selection, values) + " LIMIT " + Math.max(0, limit);
            List<List<String>> rows = new ArrayList<>();
            try (PreparedStatement ps = values.bind(c.prepareStatement(sql)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> row = new ArrayList<>(picked.size());
                    for (int i = 1; i <= picked.size(); i++) {
                        String v = rs.getString(i);
                        row.add(v == null ? "" : v);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public long deleteRows(TableRef table, RowSelection selection) {
        try (Connection c = database.connect()) {
            List<Column> all = PgTables.columns(c, table);
            SqlValues values = SqlValues.parameters(PgTables.DIALECT);
            String sql = "DELETE FROM " + PgNames.table(table) + PgSelection.where(all, selection, values);
            try (PreparedStatement ps = values.bind(c.prepareStatement(sql))) {
                return ps.executeLargeUpdate();
            }
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public void close() {
        pipeline.close();
        if (ownsDatabase) {
            database.close();
        }
    }

    // ---- helpers

    /** SQL run in one transaction on {@code c}. */
    interface Work {
        void run(Statement s) throws SQLException;
    }

    /** Runs {@code work} in one transaction; rolls back and rethrows on any failure. */
    static void inTransaction(Connection c, Work work) throws SQLException {
        Transactions.run(c, conn -> {
            try (Statement s = conn.createStatement()) {
                work.run(s);
            }
            return null;
        });
    }

    static GranaryException interrupted() {
        return new GranaryException(ErrorCode.JOB_INTERRUPTED, "The load was interrupted; the table is unchanged.");
    }

    static GranaryException exportInterrupted() {
        return new GranaryException(ErrorCode.JOB_INTERRUPTED, "The export was interrupted.");
    }

    private static GranaryException alreadyExists(TableRef table) {
        return new GranaryException(ErrorCode.TABLE_ALREADY_EXISTS, "The table \"" + table.tableId() + "\" already exists.");
    }

    static GranaryException engine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (m.startsWith("ERROR: ")) {
            m = m.substring("ERROR: ".length());
        }
        int nl = m.indexOf('\n');
        return new GranaryException(ErrorCode.INTERNAL, "Table storage error: " + (nl < 0 ? m : m.substring(0, nl)), e);
    }
}
