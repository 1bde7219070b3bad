package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.jdbc.SelectionSql;
import io.granary.jdbc.SqlValues;
import io.granary.postgres.PgTables.Column;
import java.util.ArrayList;
import java.util.List;

/**
 * Row selections and column picks over a table's physical columns. Columns are {@code COLLATE "C"}, so
 * gt/ge/lt/le compare strings byte by byte, as DuckDB does. An export runs as COPY, which takes no bind
 * parameters: it renders its values as literals ({@link SqlValues#literals}).
 */
final class PgSelection {

    private PgSelection() {
    }

    /** {@code " WHERE ..."}, or empty. */
    static String where(List<Column> all, RowSelection selection, SqlValues values) {
        return SelectionSql.where(selection, name -> {
            Column col = PgTables.find(all, name);
            if (col == null) {
                throw SelectionSql.unknownColumn(name);
            }
            return q(col.physical());
        }, PgTables.DIALECT, values);
    }

    /** Requested columns (empty = all), by the table's spelling. */
    static List<Column> pick(List<Column> all, List<String> wanted) {
        if (wanted == null || wanted.isEmpty()) {
            return all;
        }
        List<Column> out = new ArrayList<>();
        for (String w : wanted) {
            Column col = PgTables.find(all, w);
            if (col == null) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Column \"" + w + "\" not found in the table.");
            }
            out.add(col);
        }
        return out;
    }
}
