package io.granary.trino;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Trino SQL text for Granary's tables: quoted identifiers and literals, and the one-statement loads that
 * read a staged table ({@link TrinoStaging}: columns {@code c0 … cN-1} in file order and the row number
 * {@code r}). Each statement is one Iceberg commit: it either happens whole or not at all. Table
 * columns are Storage names ({@link TrinoNames} makes them Trino names); every column is
 * {@code varchar}, plus the hidden {@code _timestamp}.
 */
public final class TrinoSql {

    /** The hidden change-time column, and its type. */
    public static final String TIMESTAMP = "_timestamp";
    public static final String TIMESTAMP_TYPE = "timestamp(6) with time zone";

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private TrinoSql() {
    }

    /** A quoted identifier ({@code "} doubled). Trino lower-cases it all the same: see {@link TrinoNames}. */
    public static String id(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A string literal ({@code '} doubled). */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A {@code timestamp(6) with time zone} literal in UTC. */
    public static String timestamp(Instant t) {
        return "TIMESTAMP '" + TS.format(t) + " UTC'";
    }

    /** {@code CREATE TABLE t (columns varchar…, _timestamp …)}: an empty table. */
    public static String createTable(String table, List<String> columns) {
        StringBuilder b = new StringBuilder("CREATE TABLE ").append(table).append(" (");
        for (String c : columns) {
            b.append(TrinoNames.column(c)).append(" varchar, ");
        }
        return b.append(id(TIMESTAMP)).append(' ').append(TIMESTAMP_TYPE).append(")").toString();
    }

    /**
     * A full load: {@code CREATE OR REPLACE TABLE} with {@code columns} (the table's, then the new ones,
     * all present in {@code fileColumns}) from the staged rows; with a primary key only the last
     * occurrence of each key. One commit: readers see the old rows or the new ones, and a failure leaves
     * the table (schema and rows) as it was.
     */
    public static String fullLoad(String table, List<String> columns, List<String> fileColumns, List<String> primaryKey,
            String staged, Instant timestamp) {
        StringBuilder b = new StringBuilder("CREATE OR REPLACE TABLE ").append(table).append(" AS SELECT ");
        for (String c : columns) {
            b.append(source(c, fileColumns, "s")).append(" AS ").append(TrinoNames.column(c)).append(", ");
        }
        b.append("CAST(").append(timestamp(timestamp)).append(" AS ").append(TIMESTAMP_TYPE).append(") AS ").append(id(TIMESTAMP));
        return b.append(" FROM ").append(deduplicated(staged, primaryKey, fileColumns)).append(" s").toString();
    }

    /** An incremental load without a key: {@code INSERT} of every staged row. */
    public static String insert(String table, List<String> fileColumns, String staged, Instant timestamp) {
        StringBuilder b = new StringBuilder("INSERT INTO ").append(table).append(" (");
        for (String c : fileColumns) {
            b.append(TrinoNames.column(c)).append(", ");
        }
        b.append(id(TIMESTAMP)).append(") SELECT ");
        for (int i = 0; i < fileColumns.size(); i++) {
            b.append("s.").append(TrinoStaging.column(i)).append(", ");
        }
        return b.append(timestamp(timestamp)).append(" FROM ").append(staged).append(" s").toString();
    }

    /**
     * An incremental load with a key: {@code MERGE} of the last occurrence of each staged key. An existing row
     * with the key is replaced: its columns the file lacks become NULL (read as {@code ''}), as on the other
     * backends, which delete and insert. Other rows are inserted. A key column added later is NULL in old rows
     * and is compared as {@code ''}, as every read sees it.
     */
    public static String merge(String table, List<String> tableColumns, List<String> fileColumns, List<String> primaryKey,
            String staged, Instant timestamp) {
        StringBuilder b = new StringBuilder("MERGE INTO ").append(table).append(" t USING ")
                .append(deduplicated(staged, primaryKey, fileColumns)).append(" s ON (");
        String and = "";
        for (String k : primaryKey) {
            b.append(and).append("coalesce(t.").append(TrinoNames.column(k)).append(", '') = ")
                    .append(source(k, fileColumns, "s"));
            and = " AND ";
        }
        b.append(") WHEN MATCHED THEN UPDATE SET ");
        for (String c : tableColumns) {
            if (!primaryKey.contains(c)) {
                b.append(TrinoNames.column(c)).append(" = ")
                        .append(fileColumns.contains(c) ? source(c, fileColumns, "s") : "NULL").append(", ");
            }
        }
        b.append(id(TIMESTAMP)).append(" = ").append(timestamp(timestamp)).append(" WHEN NOT MATCHED THEN INSERT (");
        for (String c : fileColumns) {
            b.append(TrinoNames.column(c)).append(", ");
        }
        b.append(id(TIMESTAMP)).append(") VALUES (");
        for (String c : fileColumns) {
            b.append(source(c, fileColumns, "s")).append(", ");
        }
        return b.append(timestamp(timestamp)).append(")").toString();
    }

    /** {@code ALTER TABLE … ADD COLUMN "c" varchar}: its own commit; old rows read NULL. */
    public static String addColumn(String table, String column) {
        return "ALTER TABLE " + table + " ADD COLUMN " + TrinoNames.column(column) + " varchar";
    }

    /** {@code ALTER TABLE … DROP COLUMN "c"}: undoes {@link #addColumn} (the data files are not rewritten). */
    public static String dropColumn(String table, String column) {
        return "ALTER TABLE " + table + " DROP COLUMN " + TrinoNames.column(column);
    }

    /** A visible column as every read returns it: {@code ''} where it is NULL (added after the row was written). */
    public static String read(String column) {
        return "coalesce(" + TrinoNames.column(column) + ", '')";
    }

    /** Merges small files and rewrites merge-on-read deletes into the data files. */
    public static String optimize(String table) {
        return "ALTER TABLE " + table + " EXECUTE optimize";
    }

    /** Forgets snapshots older than {@code retention} (e.g. {@code '7d'}) and deletes the files only they used. */
    public static String expireSnapshots(String table, String retention) {
        return "ALTER TABLE " + table + " EXECUTE expire_snapshots(retention_threshold => " + literal(retention) + ")";
    }

    /** Deletes files under the table's location that no snapshot references (left by failed writes). */
    public static String removeOrphanFiles(String table, String retention) {
        return "ALTER TABLE " + table + " EXECUTE remove_orphan_files(retention_threshold => " + literal(retention) + ")";
    }

    /**
     * The table's snapshots, oldest first: id, time, operation, the Trino query that committed it and the rows
     * it added (for a MERGE: the rows it wrote, updated and inserted).
     */
    public static String snapshots(String catalog, String bucketId, String tableName) {
        return "SELECT snapshot_id, committed_at, operation, summary['trino_query_id'], summary['added-records'] FROM "
                + metadataTable(catalog, bucketId, tableName, "snapshots") + " ORDER BY committed_at, snapshot_id";
    }

    /** A table's metadata table ({@code snapshots}, {@code files}, …): {@code "catalog"."schema"."table$kind"}. */
    public static String metadataTable(String catalog, String bucketId, String tableName, String kind) {
        return id(catalog) + "." + id(TrinoNames.object(bucketId)) + "." + id(TrinoNames.object(tableName) + "$" + kind);
    }

    private static String source(String column, List<String> fileColumns, String alias) {
        int i = fileColumns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("column " + column + " is not in the file");
        }
        return alias + "." + TrinoStaging.column(i);
    }

    private static String deduplicated(String staged, List<String> primaryKey, List<String> fileColumns) {
        if (primaryKey.isEmpty()) {
            return staged;
        }
        StringBuilder partition = new StringBuilder();
        for (String k : primaryKey) {
            partition.append(partition.length() == 0 ? "" : ", ").append(source(k, fileColumns, "d"));
        }
        return "(SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY " + partition
                + " ORDER BY d.r DESC) AS granary_rn FROM " + staged + " d) WHERE granary_rn = 1)";
    }
}
