package io.granary.duckdb;

import static io.granary.duckdb.DuckDbTables.engine;
import static io.granary.duckdb.DuckDbTables.find;
import static io.granary.duckdb.DuckDbTables.interrupted;
import static io.granary.duckdb.DuckDbTables.lit;
import static io.granary.duckdb.DuckDbTables.q;

import io.granary.core.csv.CsvDialect;
import io.granary.core.csv.HeaderReader;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.LoadResult;
import io.granary.core.port.TableBackend.TableStats;
import io.granary.core.util.JsonLists;
import io.granary.jdbc.Transactions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

/**
 * One load on one connection:
 * <ol>
 *   <li>the files stream through DuckDB's CSV reader ({@code read_csv}, strict, no type detection) into a
 *       private staging table shaped like the final table, group by group; a gzip file reaches DuckDB through
 *       {@link GzipInputs}, which inflates it once and refuses a truncated or corrupt one (DuckDB accepts a
 *       truncated gzip stream silently);</li>
 *   <li>rows with the same primary key but a later position delete the earlier ones;</li>
 *   <li>in one transaction, a full load drops the target and renames the staging table into its place; an
 *       incremental load adds the new columns, deletes the target rows whose key is staged and inserts the
 *       staged rows; the load id is recorded.</li>
 * </ol>
 * A failure or an interrupt before the commit leaves the table as it was; the staging table is dropped.
 */
final class DuckDbLoad {

    /** Longest CSV line (record) a load accepts. */
    static final long MAX_LINE_BYTES = 16L << 20;
    /** DuckDB's CSV read buffer; it defaults to 16 x max_line_size, which would be 256 MiB per reader. */
    static final long READ_BUFFER_BYTES = 32L << 20;

    private final Connection c;
    private final TableRef table;
    private final LoadRequest request;
    private final JobProgress progress;
    private final Path tempDir;
    private final ExecutorService gzipReaders;

    /**
     * @param tempDir     where the named pipes carrying gunzipped files are made
     * @param gzipReaders runs one task per gzip file
     */
    DuckDbLoad(Connection c, TableRef table, LoadRequest request, JobProgress progress, Path tempDir,
            ExecutorService gzipReaders) {
        this.c = c;
        this.table = table;
        this.request = request;
        this.progress = progress;
        this.tempDir = tempDir;
        this.gzipReaders = gzipReaders;
    }

    LoadResult run() throws SQLException {
        List<String> existing = DuckDbTables.columns(c, table);
        List<String> added = new ArrayList<>();
        for (String col : request.fileColumns()) {
            if (find(existing, col) == null) {
                added.add(col);
            }
        }
        LoadResult applied = appliedLoad(existing);
        if (applied != null) {
            return applied;
        }
        List<String> finalColumns = new ArrayList<>(existing);
        finalColumns.addAll(added);
        List<String> primaryKey = new ArrayList<>();
        for (String pk : request.primaryKey()) {
            String col = find(finalColumns, pk);
            if (col == null) {
                throw new GranaryException(ErrorCode.INVALID_PRIMARY_KEY,
                        "Primary key column \"" + pk + "\" is not a column of the table or the file.");
            }
            primaryKey.add(col);
        }

        String staging = q(table.bucketId()) + "." + q(DuckDbTables.STAGING_PREFIX
                + UUID.randomUUID().toString().replace("-", ""));
        boolean stagingExists = false;
        List<Path> readPaths = request.files();
        try (Statement s = c.createStatement(); GzipInputs gzip = new GzipInputs(tempDir, gzipReaders,
                request.files().size())) {
            try {
                // 1. Stream the files into a private staging table shaped like the final table.
                s.execute(DuckDbTables.createTable(staging, finalColumns));
                stagingExists = true;
                long bytes = 0;
                long rows = 0;
                List<ReadGroup> groups = readGroups(request.files(), request.dialect(), gzip);
                List<Path> read = new ArrayList<>();
                for (ReadGroup group : groups) {
                    read.addAll(group.read());
                }
                readPaths = read;
                for (ReadGroup group : groups) {
                    checkInterrupted();
                    rows += insertFiles(staging, group, finalColumns);
                    for (Path p : group.sources()) {
                        bytes += Files.size(p);
                    }
                    progress.report(bytes, rows);
                }
                gzip.finish();
                checkInterrupted();

                // 2. De-duplicate by primary key: the last occurrence in file order (insertion order) wins.
                if (!primaryKey.isEmpty()) {
                    rows -= s.executeUpdate("DELETE FROM " + staging + " WHERE rowid IN (SELECT rowid FROM " + staging
                            + " QUALIFY row_number() OVER (PARTITION BY " + DuckDbTables.list(primaryKey)
                            + " ORDER BY rowid DESC) > 1)");
                }
                checkInterrupted();

                // 3. Change the target in one transaction.
                long loaded = rows;
                Transactions.run(c, conn -> {
                    swap(s, staging, finalColumns, added, primaryKey);
                    recordLoad(loaded, added);
                    checkInterrupted();
                    return null;
                });
                stagingExists = false; // renamed into the target's place, or dropped, in the transaction
                TableStats stats = DuckDbTables.stats(c, table, finalColumns);
                progress.report(bytes, rows);
                return new LoadResult(rows, List.copyOf(added), List.copyOf(finalColumns), stats.rows(), stats.bytes());
            } catch (SQLException e) {
                GranaryException csv = CsvErrors.fromDuckDb(e.getMessage(), readPaths);
                // a broken gzip stream may surface as a parse error: report the gzip problem instead
                GranaryException broken = csv == null ? null : gzip.failure();
                throw broken != null ? broken : csv != null ? csv : engine(e);
            } catch (IOException e) {
                throw new GranaryException(ErrorCode.INTERNAL, "Cannot read a file to load: " + e.getMessage(), e);
            } finally {
                if (stagingExists) {
                    try {
                        s.execute("DROP TABLE IF EXISTS " + staging);
                    } catch (SQLException ignored) {
                        // best effort: a leftover staging table is invisible to columns() and exports
                    }
                }
            }
        }
    }

    /** A full load puts the staging table in the target's place; an incremental one merges it in. */
    private void swap(Statement s, String staging, List<String> finalColumns, List<String> added, List<String> primaryKey)
            throws SQLException {
        String target = DuckDbTables.name(table);
        if (!request.incremental()) {
            s.execute("DROP TABLE " + target);
            s.execute("ALTER TABLE " + staging + " RENAME TO " + q(table.name()));
            return;
        }
        for (String col : added) {
            s.execute("ALTER TABLE " + target + " ADD COLUMN " + q(col) + " VARCHAR DEFAULT ''");
        }
        if (!primaryKey.isEmpty()) {
            StringBuilder del = new StringBuilder("DELETE FROM ").append(target).append(" AS t USING ").append(staging)
                    .append(" AS s WHERE ");
            for (int i = 0; i < primaryKey.size(); i++) {
                String k = q(primaryKey.get(i));
                del.append(i == 0 ? "" : " AND ").append("t.").append(k).append(" = s.").append(k);
            }
            s.executeUpdate(del.toString());
        }
        String cols = DuckDbTables.list(finalColumns) + ", " + q(TableBackend.TIMESTAMP_COLUMN);
        s.executeUpdate("INSERT INTO " + target + " (" + cols + ") SELECT " + cols + " FROM " + staging);
        s.execute("DROP TABLE " + staging);
    }

    // a retried job finds its own committed load here and does not apply the rows again
    private LoadResult appliedLoad(List<String> columns) throws SQLException {
        if (request.loadId() == null) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT loaded_rows, added_columns FROM " + DuckDbTables.LOADS
                + " WHERE table_id = ? AND load_id = ?")) {
            ps.setString(1, table.tableId());
            ps.setString(2, request.loadId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                TableStats stats = DuckDbTables.stats(c, table, columns);
                return new LoadResult(rs.getLong(1), JsonLists.decode(rs.getString(2)), List.copyOf(columns), stats.rows(),
                        stats.bytes());
            }
        }
    }

    private void recordLoad(long rows, List<String> added) throws SQLException {
        if (request.loadId() == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + DuckDbTables.LOADS + " VALUES (?, ?, ?, ?)")) {
            ps.setString(1, table.tableId());
            ps.setString(2, request.loadId());
            ps.setLong(3, rows);
            ps.setString(4, JsonLists.encode(added));
            ps.executeUpdate();
        }
    }

    /**
     * Files one read_csv call reads, in file order: what DuckDB reads ({@code read}: the files, or pipes carrying
     * them gunzipped) for the {@code sources}, all of the same compression and line ending.
     */
    private record ReadGroup(List<Path> read, List<Path> sources, boolean compressed, boolean lfOnly) {
    }

    /**
     * Consecutive files that one read_csv call can read (in parallel, keeping file order): same compression as
     * DuckDB sees it and same line ending. DuckDB guesses the line ending from the first line end it meets, even
     * inside quotes, so an LF file whose first record holds a quoted CRLF is told its line ending.
     */
    private static List<ReadGroup> readGroups(List<Path> files, CsvDialect dialect, GzipInputs gzip) throws IOException {
        List<ReadGroup> groups = new ArrayList<>();
        String previous = null;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            boolean lfOnly = lfOnly(file, dialect);
            GzipInputs.Input input = gzip.input(file, i);
            String key = input.compressed() + "|" + lfOnly;
            if (!key.equals(previous)) {
                groups.add(new ReadGroup(new ArrayList<>(), new ArrayList<>(), input.compressed(), lfOnly));
                previous = key;
            }
            groups.get(groups.size() - 1).read().add(input.path());
            groups.get(groups.size() - 1).sources().add(file);
        }
        return groups;
    }

    private static boolean lfOnly(Path file, CsvDialect dialect) {
        try {
            return "\n".equals(HeaderReader.lineEnding(file, dialect));
        } catch (GranaryException unreadable) {
            return false; // let the engine read it and name the problem with its line
        }
    }

    private long insertFiles(String staging, ReadGroup group, List<String> finalColumns) throws SQLException {
        List<Path> files = group.read();
        boolean gzip = group.compressed();
        boolean lfOnly = group.lfOnly();
        List<String> fileColumns = request.fileColumns();
        CsvDialect d = request.dialect();
        StringBuilder paths = new StringBuilder("[");
        for (int i = 0; i < files.size(); i++) {
            paths.append(i == 0 ? "" : ", ").append(lit(files.get(i).toAbsolutePath().toString()));
        }
        paths.append("]");
        StringBuilder types = new StringBuilder("{");
        StringBuilder select = new StringBuilder();
        StringBuilder into = new StringBuilder();
        for (int i = 0; i < fileColumns.size(); i++) {
            String sep = i == 0 ? "" : ", ";
            types.append(sep).append("'c").append(i).append("': 'VARCHAR'");
            select.append(sep).append("COALESCE(c").append(i).append(", '')");
            into.append(sep).append(q(find(finalColumns, fileColumns.get(i))));
        }
        types.append("}");
        char escape = d.escapedBy() == null ? d.enclosure() : d.escapedBy();
        String sql = "INSERT INTO " + staging + " (" + into + ", " + q(TableBackend.TIMESTAMP_COLUMN) + ") SELECT " + select
                + ", ?::TIMESTAMP FROM read_csv(" + paths
                + ", auto_detect = false, header = " + request.header()
                + ", columns = " + types
                + ", delim = " + lit(String.valueOf(d.delimiter()))
                + ", quote = " + lit(String.valueOf(d.enclosure()))
                + ", escape = " + lit(String.valueOf(escape))
                + ", strict_mode = true, null_padding = false, ignore_errors = false"
                + ", max_line_size = " + MAX_LINE_BYTES + ", buffer_size = " + READ_BUFFER_BYTES
                + ", encoding = 'utf-8'"
                + (lfOnly ? ", new_line = '\\n'" : "")
                + ", compression = " + (gzip ? "'gzip'" : "'none'") + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, DuckDbTables.utc(request.timestamp()));
            return ps.executeUpdate();
        }
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted();
        }
    }
}
