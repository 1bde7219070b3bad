package io.granary.trino;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.jdbc.SelectionSql;
import io.granary.jdbc.SqlDialect;
import io.granary.jdbc.SqlValues;
import io.granary.core.port.TableBackend.RowSelection;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Granary table looks like in Trino: its visible columns (Storage names, found case-insensitively, as
 * the other backends find them) and the SQL that reads them. A column added after a row was written is NULL
 * in that row; every read turns that into {@code ''} ({@link TrinoSql#read}), filters included.
 */
final class TrinoTables {

    /**
     * Trino's SQL for row selections: {@code _timestamp} is a {@code timestamp(6) with time zone}; varchar compares
     * byte by byte (UTF-8), as the other backends compare.
     */
    static final SqlDialect DIALECT = new SqlDialect() {
        @Override
        public String timestampLiteral(Instant t) {
            return TrinoSql.timestamp(t);
        }

        @Override
        public String timestampParameter() {
            throw new UnsupportedOperationException("Trino statements take literals");
        }

        @Override
        public Object timestampValue(Instant t) {
            throw new UnsupportedOperationException("Trino statements take literals");
        }

        @Override
        public void checkValue(String column, String value) {
            if (value.indexOf('\0') >= 0) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "The filter on column \"" + column
                        + "\" has a value with a NUL character, which no value can hold.");
            }
        }
    };

    private TrinoTables() {
    }

    /** Visible columns in order; {@code TABLES_NOT_FOUND} when there is no such table. */
    static List<String> columns(Connection c, TrinoLake lake, TableRef table) throws SQLException {
        List<String> out = new ArrayList<>();
        try {
            for (List<String> row : TrinoClient.rows(c, "SHOW COLUMNS FROM " + lake.table(table.bucketId(), table.name()))) {
                String name = TrinoNames.logical(row.get(0));
                if (!name.equals(TableBackend.TIMESTAMP_COLUMN)) {
                    out.add(name);
                }
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == TrinoClient.TABLE_NOT_FOUND || e.getErrorCode() == TrinoClient.SCHEMA_NOT_FOUND) {
                throw notFound(table);
            }
            throw e;
        }
        return out;
    }

    static boolean exists(Connection c, TrinoLake lake, TableRef table) throws SQLException {
        return TrinoClient.number(c, "SELECT count(*) FROM " + TrinoSql.id(lake.iceberg) + ".information_schema.tables"
                + " WHERE table_schema = " + TrinoSql.literal(TrinoNames.object(table.bucketId())) + " AND table_name = "
                + TrinoSql.literal(TrinoNames.object(table.name()))) > 0;
    }

    /** The table's column named {@code name}, ignoring case; null when it has none. */
    static String find(List<String> columns, String name) {
        for (String c : columns) {
            if (c.equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    /** Requested columns by the table's spelling (empty = all); {@code TABLES_VALIDATION} for an unknown one. */
    static List<String> pick(List<String> all, List<String> wanted) {
        if (wanted == null || wanted.isEmpty()) {
            return all;
        }
        List<String> out = new ArrayList<>();
        for (String w : wanted) {
            String col = find(all, w);
            if (col == null) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Column \"" + w + "\" not found in the table.");
            }
            out.add(col);
        }
        return out;
    }

    /** {@code coalesce("a", ''), …}: the columns as every read returns them. */
    static String reads(List<String> columns) {
        List<String> out = new ArrayList<>();
        for (String c : columns) {
            out.add(TrinoSql.read(c));
        }
        return String.join(", ", out);
    }

    /** {@code " WHERE ..."} for the selection (values as literals), or empty. */
    static String where(List<String> all, RowSelection selection) {
        return SelectionSql.where(selection, name -> {
            String col = find(all, name);
            if (col == null) {
                throw SelectionSql.unknownColumn(name);
            }
            return TrinoSql.read(col);
        }, DIALECT, SqlValues.literals(DIALECT));
    }

    static GranaryException notFound(TableRef table) {
        return new GranaryException(ErrorCode.TABLES_NOT_FOUND, "The table \"" + table.tableId() + "\" was not found.");
    }

    static GranaryException alreadyExists(TableRef table) {
        return new GranaryException(ErrorCode.TABLE_ALREADY_EXISTS, "The table \"" + table.tableId() + "\" already exists.");
    }
}
