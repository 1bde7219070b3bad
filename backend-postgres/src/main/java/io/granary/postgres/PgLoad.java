package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import io.granary.core.csv.CsvDialect;
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
import io.granary.postgres.PgTables.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * One load, in one transaction on one connection:
 * <ol>
 *   <li>a staging table shaped like the final table is created, with {@code _timestamp} defaulting to the
 *       load's time and, with a primary key, an ordinal that COPY fills in file order;</li>
 *   <li>each file streams into it with COPY;</li>
 *   <li>rows with the same primary key but a later ordinal delete the earlier ones (unless {@link PgKeyTracker}
 *       saw every key sent once only);</li>
 *   <li>a full load drops the target and renames the staging table into its place (the rows are written
 *       once); an incremental load deletes the target rows whose key is staged and inserts the staged
 *       rows;</li>
 *   <li>the load id is recorded and the transaction commits.</li>
 * </ol>
 * Any failure rolls everything back, the staging table included.
 */
final class PgLoad {

    private static final String ORDINAL = PgTables.STAGING_PREFIX + "ord";

    private final Connection c;
    private final TableRef table;
    private final LoadRequest request;
    private final JobProgress progress;
    private long loadedBytes;

    PgLoad(Connection c, TableRef table, LoadRequest request, JobProgress progress) {
        this.c = c;
        this.table = table;
        this.request = request;
        this.progress = progress;
    }

    LoadResult run() throws SQLException {
        checkDialect(request.dialect());
        List<Column> existing = PgTables.columns(c, table);
        LoadResult applied = appliedLoad(existing);
        if (applied != null) {
            return applied;
        }
        List<Column> added = new ArrayList<>();
        List<Column> fileColumns = new ArrayList<>();
        for (String name : request.fileColumns()) {
            Column col = PgTables.find(existing, name);
            if (col == null) {
                col = Column.of(name);
                added.add(col);
            }
            fileColumns.add(col);
        }
        List<Column> finalColumns = new ArrayList<>(existing);
        finalColumns.addAll(added);
        List<Column> primaryKey = new ArrayList<>();
        for (String pk : request.primaryKey()) {
            Column col = PgTables.find(finalColumns, pk);
            if (col == null) {
                throw new GranaryException(ErrorCode.INVALID_PRIMARY_KEY,
                        "Primary key column \"" + pk + "\" is not a column of the table or the file.");
            }
            primaryKey.add(col);
        }

        String target = PgNames.table(table);
        String schema = q(PgNames.schema(table.bucketId()));
        String stagingName = PgTables.STAGING_PREFIX + UUID.randomUUID().toString().replace("-", "");
        String staging = schema + "." + q(stagingName);
        boolean full = !request.incremental();
        LoadResult result = Transactions.run(c, conn -> load(full, staging, target, fileColumns, finalColumns, added,
                primaryKey));
        progress.report(loadedBytes, result.loadedRows());
        return result;
    }

    private LoadResult load(boolean full, String staging, String target, List<Column> fileColumns,
            List<Column> finalColumns, List<Column> added, List<Column> primaryKey) throws SQLException {
        try (Statement s = c.createStatement()) {
            // 1. staging; an incremental load's never outlives the transaction, so it need not be WAL-logged
            StringBuilder create = new StringBuilder(full ? "CREATE TABLE " : "CREATE UNLOGGED TABLE ")
                    .append(staging).append(" (");
            for (Column col : finalColumns) {
                create.append(PgTables.columnDdl(col)).append(", ");
            }
            create.append(q(TableBackend.TIMESTAMP_COLUMN)).append(" TIMESTAMPTZ DEFAULT ")
                    .append(PgTables.DIALECT.timestampLiteral(request.timestamp()));
            if (!primaryKey.isEmpty()) {
                // a cached sequence: the default cache of 1 made COPY of 500 k rows about 20 % slower than none
                create.append(", ").append(q(ORDINAL)).append(" BIGINT GENERATED ALWAYS AS IDENTITY (CACHE 10000)");
            }
            s.execute(create.append(")").toString());
            if (full) {
                PgTables.comment(s, staging, finalColumns);
            }

            // 2. the files, in order
            List<String> copyColumns = fileColumns.stream().map(col -> q(col.physical())).toList();
            long rows = 0;
            long bytes = 0;
            List<Path> files = request.files();
            PgKeyTracker tracker = keyTracker(fileColumns, primaryKey);
            for (int i = 0; i < files.size(); i++) {
                checkInterrupted();
                rows += PgCopy.load(c, staging, copyColumns, files.get(i), PgCsvErrors.where(i, files.size()),
                        request.dialect(), request.header(), tracker);
                bytes += size(files.get(i));
                progress.report(bytes, rows);
            }
            checkInterrupted();

            // 3. the last occurrence of a key wins. Grouping finds the keys that occur more than once (usually
            // none) with one hash aggregate; only their rows are joined back, where a window over all rows
            // would sort the whole load. Not needed when the keys sent were seen to be all different.
            if (!primaryKey.isEmpty() && (tracker == null || tracker.mayRepeat())) {
                String keys = PgNames.list(PgTables.physical(primaryKey));
                StringBuilder delete = new StringBuilder("DELETE FROM ").append(staging).append(" s USING (SELECT ")
                        .append(keys).append(", max(").append(q(ORDINAL)).append(") AS last FROM ").append(staging)
                        .append(" GROUP BY ").append(keys).append(" HAVING count(*) > 1) d WHERE s.").append(q(ORDINAL))
                        .append(" < d.last");
                for (Column k : primaryKey) {
                    delete.append(" AND s.").append(q(k.physical())).append(" = d.").append(q(k.physical()));
                }
                rows -= s.executeLargeUpdate(delete.toString());
            }
            checkInterrupted();

            // 4. the target
            long totalRows;
            if (full) {
                if (!primaryKey.isEmpty()) {
                    s.execute("ALTER TABLE " + staging + " DROP COLUMN " + q(ORDINAL));
                }
                s.execute("ALTER TABLE " + staging + " ALTER COLUMN " + q(TableBackend.TIMESTAMP_COLUMN) + " DROP DEFAULT");
                s.execute("DROP TABLE " + target);
                s.execute("ALTER TABLE " + staging + " RENAME TO " + q(PgNames.physical(table.name())));
                totalRows = rows;
            } else {
                for (Column col : added) {
                    s.execute("ALTER TABLE " + target + " ADD COLUMN " + PgTables.columnDdl(col));
                }
                PgTables.comment(s, target, added);
                // Upsert as delete + insert: a hash join of the staged keys against the target needs no
                // index, so full loads never build one and long values never hit btree's row-size limit.
                // MERGE would do the same join and write the same new row versions.
                if (!primaryKey.isEmpty()) {
                    StringBuilder delete = new StringBuilder("DELETE FROM ").append(target).append(" t USING ")
                            .append(staging).append(" s WHERE ");
                    for (int i = 0; i < primaryKey.size(); i++) {
                        String k = q(primaryKey.get(i).physical());
                        delete.append(i == 0 ? "" : " AND ").append("t.").append(k).append(" = s.").append(k);
                    }
                    s.executeLargeUpdate(delete.toString());
                }
                String cols = PgNames.list(PgTables.physical(finalColumns)) + ", " + q(TableBackend.TIMESTAMP_COLUMN);
                s.executeLargeUpdate("INSERT INTO " + target + " (" + cols + ") SELECT " + cols + " FROM " + staging);
                s.execute("DROP TABLE " + staging);
                totalRows = -1;
            }

            // 5. record and commit
            recordLoad(rows, PgTables.names(added));
            // a full load knows its count; an incremental one has to count
            TableStats stats = totalRows < 0 ? PostgresTableBackend.stats(c, table)
                    : new TableStats(totalRows, PostgresTableBackend.bytes(c, table));
            checkInterrupted();
            loadedBytes = bytes;
            return new LoadResult(rows, PgTables.names(added), PgTables.names(finalColumns), stats.rows(), stats.bytes());
        }
    }

    // null when some key column is not in the files (its staged values are all the default, '')
    private PgKeyTracker keyTracker(List<Column> fileColumns, List<Column> primaryKey) {
        if (primaryKey.isEmpty()) {
            return null;
        }
        int[] fields = new int[primaryKey.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = fileColumns.indexOf(primaryKey.get(i));
            if (fields[i] < 0) {
                return null;
            }
        }
        return new PgKeyTracker(request.dialect(), fields);
    }

    // a retried job finds its own committed load here and does not apply the rows again
    private LoadResult appliedLoad(List<Column> columns) throws SQLException {
        if (request.loadId() == null || !request.retried()) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT loaded_rows, added_columns FROM table_loads WHERE table_id = ? AND load_id = ?")) {
            ps.setString(1, table.tableId());
            ps.setString(2, request.loadId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                TableStats stats = PostgresTableBackend.stats(c, table);
                return new LoadResult(rs.getLong(1), JsonLists.decode(rs.getString(2)), PgTables.names(columns),
                        stats.rows(), stats.bytes());
            }
        }
    }

    private void recordLoad(long rows, List<String> added) throws SQLException {
        if (request.loadId() == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO table_loads (table_id, load_id, loaded_rows, added_columns) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, table.tableId());
            ps.setString(2, request.loadId());
            ps.setLong(3, rows);
            ps.setString(4, JsonLists.encode(added));
            ps.executeUpdate();
        }
    }

    // COPY takes single-byte delimiter, quote and escape characters, never a line end
    private static void checkDialect(CsvDialect d) {
        List<Character> chars = new ArrayList<>(List.of(d.delimiter(), d.enclosure()));
        if (d.escapedBy() != null) {
            chars.add(d.escapedBy());
        }
        for (char ch : chars) {
            if (ch == 0 || ch > 0x7f || ch == '\r' || ch == '\n') {
                throw new GranaryException(ErrorCode.INVALID_CSV, "The delimiter, enclosure and escape character must be"
                        + " single ASCII characters other than a line end (got \"" + ch + "\").");
            }
        }
        if (d.delimiter() == d.enclosure()) {
            throw new GranaryException(ErrorCode.INVALID_CSV, "The delimiter and the enclosure must differ.");
        }
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw PostgresTableBackend.interrupted();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
