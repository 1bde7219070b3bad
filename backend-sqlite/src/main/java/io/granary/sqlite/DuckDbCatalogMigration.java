package io.granary.sqlite;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a catalog of the previous format ({@code catalog.duckdb}: the catalog and job queue in DuckDB) into the
 * SQLite file, once, on the first start that finds it. Every row of every table is copied by column name (the
 * schemas share them), the id sequences continue where they were, and the counts are compared before the new file
 * takes the old one's place by an atomic rename; the old file is then kept beside it as a backup. A crash at any
 * point leaves either the old catalog in use (and the migration runs again) or the new one complete.
 */
final class DuckDbCatalogMigration {

    static final String OLD_FILE = "catalog.duckdb";

    private static final Logger LOG = LoggerFactory.getLogger(DuckDbCatalogMigration.class);
    private static final List<String> TABLES = List.of("tokens", "buckets", "tables", "metadata", "files", "file_tags",
            "credentials", "workspaces", "jobs");
    /** DuckDB sequence → the SQLite sequence and the table whose ids it gave. */
    private static final Map<String, String[]> SEQUENCES = Map.of(
            "token_id_seq", new String[] {SqliteSchema.TOKEN, "tokens"},
            "file_id_seq", new String[] {SqliteSchema.FILE, "files"},
            "metadata_id_seq", new String[] {SqliteSchema.METADATA, "metadata"},
            "job_id_seq", new String[] {SqliteSchema.JOB, "jobs"},
            "workspace_id_seq", new String[] {SqliteSchema.WORKSPACE, "workspaces"});

    private DuckDbCatalogMigration() {
    }

    /**
     * When {@code dataDir} holds a {@code catalog.duckdb} and {@code target} does not exist yet, fills {@code target}
     * from it and renames the old file to a backup; returns the backup's path, or null when there was nothing to do.
     */
    static Path migrateIfNeeded(Path dataDir, Path target) {
        Path old = dataDir.resolve(OLD_FILE);
        if (!Files.exists(old)) {
            return null;
        }
        if (Files.exists(target)) {
            // a migration that completed, stopped before the old file was moved aside
            Path backup = keepAsBackup(old);
            LOG.warn("the catalog was migrated to {} before; the old {} is now kept as {}", target, old, backup);
            return backup;
        }
        Path partial = target.resolveSibling(target.getFileName() + ".migrating");
        deleteSqliteFiles(partial);
        Map<String, Long> counts;
        try {
            counts = copy(old, partial);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (SQLException | IOException | RuntimeException e) {
            deleteSqliteFiles(partial);
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot migrate the catalog " + old + " to " + target
                    + ": " + e.getMessage() + ". Nothing was changed; the old catalog stays in place.", e);
        }
        Path backup = keepAsBackup(old);
        LOG.info("migrated the catalog from {} to {} ({}); the old file is kept as {}", old, target, summary(counts),
                backup);
        return backup;
    }

    private static Map<String, Long> copy(Path old, Path partial) throws SQLException {
        Properties props = new Properties();
        props.setProperty("duckdb.read_only", "true");
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + old.toAbsolutePath(), props);
                SqliteDatabase db = new SqliteDatabase(partial, 1)) {
            Set<String> present = tablesOf(duck);
            for (String table : present) {
                if (!TABLES.contains(table)) {
                    // records this version cannot place would be lost with the old file's retirement
                    throw new SQLException("table " + table + " has no place in the new catalog");
                }
            }
            db.transaction(s -> {
                SqliteSchema.create(s);
                for (String table : TABLES) {
                    if (present.contains(table)) {
                        counts.put(table, copyTable(duck, s, table));
                    }
                }
                continueSequences(duck, s, present);
                return null;
            });
            db.read(s -> {
                for (Map.Entry<String, Long> e : counts.entrySet()) {
                    long copied = s.queryOne("SELECT count(*) FROM " + e.getKey(), rs -> rs.getLong(1)).orElseThrow();
                    if (copied != e.getValue()) {
                        throw new SQLException("table " + e.getKey() + " has " + e.getValue() + " rows but " + copied
                                + " arrived");
                    }
                }
                return null;
            });
            db.write(s -> {
                // nothing may stay in a -wal file beside the one that is renamed
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                return null;
            });
        }
        Path wal = partial.resolveSibling(partial.getFileName() + "-wal");
        if (Files.exists(wal) && wal.toFile().length() > 0) {
            throw new SQLException("the new catalog's log " + wal + " was not written back into it");
        }
        return counts;
    }

    private static Set<String> tablesOf(Connection duck) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Statement st = duck.createStatement();
                ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")) {
            while (rs.next()) {
                out.add(rs.getString(1).toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static long copyTable(Connection duck, Session s, String table) throws SQLException {
        Set<String> target = new LinkedHashSet<>(s.query("SELECT name FROM pragma_table_info(?)", rs -> rs.getString(1),
                table));
        long rows = 0;
        try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String column = meta.getColumnName(i).toLowerCase(Locale.ROOT);
                if (!target.contains(column)) {
                    // a column the new schema does not know would be lost: refuse rather than drop it
                    throw new SQLException("column " + table + "." + column + " has no place in the new catalog");
                }
                columns.add(column);
            }
            String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
            Object[] values = new Object[columns.size()];
            while (rs.next()) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = rs.getObject(i + 1);
                }
                s.update(insert, values);
                rows++;
            }
        }
        return rows;
    }

    private static void continueSequences(Connection duck, Session s, Set<String> tables) throws SQLException {
        Map<String, Long> last = new LinkedHashMap<>();
        try (Statement st = duck.createStatement();
                ResultSet rs = st.executeQuery("SELECT sequence_name, last_value FROM duckdb_sequences()")) {
            while (rs.next()) {
                long v = rs.getLong(2);
                last.put(rs.getString(1), rs.wasNull() ? 0 : v);
            }
        }
        for (Map.Entry<String, String[]> e : SEQUENCES.entrySet()) {
            String sequence = e.getValue()[0];
            String table = e.getValue()[1];
            long value = last.getOrDefault(e.getKey(), 0L);
            if (tables.contains(table)) {
                value = Math.max(value, s.queryOne("SELECT coalesce(max(id), 0) FROM " + table, rs -> rs.getLong(1))
                        .orElse(0L));
            }
            s.update("UPDATE sequences SET value = ? WHERE name = ?", value, sequence);
        }
    }

    private static Path keepAsBackup(Path old) {
        Path backup = old.resolveSibling(old.getFileName() + ".bak");
        if (Files.exists(backup)) {
            backup = old.resolveSibling(old.getFileName() + ".bak-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        try {
            Path wal = old.resolveSibling(old.getFileName() + ".wal");
            if (Files.exists(wal)) {
                // DuckDB looks for its log beside the file under the file's name
                Files.move(wal, backup.resolveSibling(backup.getFileName() + ".wal"));
            }
            Files.move(old, backup);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "The catalog was migrated, but " + old
                    + " cannot be renamed to " + backup + ": " + e.getMessage(), e);
        }
        return backup;
    }

    private static void deleteSqliteFiles(Path file) {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            try {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
            } catch (IOException ignored) {
                // a leftover is deleted again by the next attempt
            }
        }
    }

    private static String summary(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((table, n) -> parts.add(n + " " + table.replace('_', ' ')));
        return String.join(", ", parts);
    }
}
