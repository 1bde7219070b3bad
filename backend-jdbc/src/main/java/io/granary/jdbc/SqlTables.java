package io.granary.jdbc;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Rules every SQL table backend applies to the tables it creates. */
public final class SqlTables {

    /** Prefix of the tables a load stages its rows in; never a Storage table or column name. */
    public static final String STAGING_PREFIX = "__staging_";

    private SqlTables() {
    }

    /**
     * Refuses columns no table can have: none at all, an empty or reserved name ({@code _timestamp}, the staging
     * prefix), a NUL character, or two names that differ only in case (SQL engines fold or compare them so).
     */
    public static void checkNewColumns(List<String> columns) {
        if (columns == null || columns.isEmpty()) {
            throw new GranaryException(ErrorCode.NO_COLUMNS, "A table needs at least one column.");
        }
        Set<String> seen = new HashSet<>();
        for (String col : columns) {
            if (col == null || col.isEmpty() || col.equalsIgnoreCase(TableBackend.TIMESTAMP_COLUMN)
                    || col.startsWith(STAGING_PREFIX) || col.indexOf('\0') >= 0) {
                throw new GranaryException(ErrorCode.INVALID_COLUMN_NAME, "Invalid column name \"" + col + "\".");
            }
            if (!seen.add(col.toLowerCase(Locale.ROOT))) {
                throw new GranaryException(ErrorCode.INVALID_COLUMN_NAME, "Duplicate column name \"" + col + "\".");
            }
        }
    }
}
