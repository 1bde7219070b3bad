package io.granary.jdbc;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place a {@link RowSelection} becomes SQL, for every SQL backend: {@code eq}/{@code ne} as
 * {@code IN}/{@code NOT IN}, comparisons as {@code > >= < <=} (string comparison; each backend's columns
 * compare byte by byte), {@code changedSince} inclusive and {@code changedUntil} exclusive on the hidden
 * {@code _timestamp}. Engines differ only through their {@link SqlDialect}; values go through
 * {@link SqlValues} (bind parameters or literals).
 */
public final class SelectionSql {

    /** A table's SQL identifier for a Storage column name; throws (see {@link #unknownColumn}) when it has none. */
    @FunctionalInterface
    public interface Columns {
        String identifier(String column);
    }

    private SelectionSql() {
    }

    /** {@code " WHERE ..."} for the selection, or the empty string when it selects every row. */
    public static String where(RowSelection selection, Columns columns, SqlDialect dialect, SqlValues values) {
        if (selection == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (WhereFilter f : selection.filters()) {
            String column = columns.identifier(f.column());
            for (String v : f.values()) {
                dialect.checkValue(f.column(), v);
            }
            if (f.operator().takesManyValues()) {
                List<String> list = new ArrayList<>();
                f.values().forEach(v -> list.add(values.string(v)));
                String in = f.operator() == WhereFilter.Operator.EQ ? " IN (" : " NOT IN (";
                parts.add(column + in + String.join(", ", list) + ")");
            } else {
                String cmp = switch (f.operator()) {
                    case GT -> " > ";
                    case GE -> " >= ";
                    case LT -> " < ";
                    default -> " <= ";
                };
                parts.add(column + cmp + values.string(f.values().get(0)));
            }
        }
        String timestamp = dialect.quote(TableBackend.TIMESTAMP_COLUMN);
        if (selection.changedSince() != null) {
            parts.add(timestamp + " >= " + values.timestamp(selection.changedSince()));
        }
        if (selection.changedUntil() != null) {
            parts.add(timestamp + " < " + values.timestamp(selection.changedUntil()));
        }
        return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
    }

    /** The error for a filter on a column the table does not have. */
    public static GranaryException unknownColumn(String column) {
        return new GranaryException(ErrorCode.TABLES_VALIDATION,
                "Cannot filter by column \"" + column + "\": the table has no such column.");
    }
}
