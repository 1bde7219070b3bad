package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import io.granary.postgres.PgTables.Column;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * SQL for a {@link RowSelection}, with the values written as literals: an export runs as COPY, which
 * takes no bind parameters. Columns are {@code COLLATE "C"}, so gt/ge/lt/le compare strings byte by
 * byte, as DuckDB does.
 */
final class PgSelection {

    private static final Set<String> OPERATORS = Set.of("eq", "ne", "gt", "ge", "lt", "le");

    private PgSelection() {
    }

    /** {@code " WHERE ..."}, or empty. */
    static String where(List<Column> all, RowSelection selection) {
        if (selection == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (WhereFilter f : selection.filters()) {
            Column col = PgTables.find(all, f.column());
            if (col == null) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                        "Cannot filter by column \"" + f.column() + "\": the table has no such column.");
            }
            String op = f.operator() == null ? "eq" : f.operator().toLowerCase(Locale.ROOT);
            if (!OPERATORS.contains(op)) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                        "Invalid filter operator \"" + f.operator() + "\": use one of eq, ne, gt, ge, lt, le.");
            }
            List<String> values = f.values() == null ? List.of() : f.values();
            String column = q(col.physical());
            if (op.equals("eq") || op.equals("ne")) {
                if (values.isEmpty()) {
                    throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                            "The filter on column \"" + f.column() + "\" needs at least one value.");
                }
                List<String> literals = new ArrayList<>();
                for (String v : values) {
                    literals.add(literal(f, v));
                }
                parts.add(column + (op.equals("eq") ? " IN (" : " NOT IN (") + String.join(", ", literals) + ")");
            } else {
                if (values.size() != 1) {
                    throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                            "The filter operator \"" + op + "\" on column \"" + f.column() + "\" takes exactly one value.");
                }
                String cmp = switch (op) {
                    case "gt" -> " > ";
                    case "ge" -> " >= ";
                    case "lt" -> " < ";
                    default -> " <= ";
                };
                parts.add(column + cmp + literal(f, values.get(0)));
            }
        }
        if (selection.changedSince() != null) {
            parts.add(q(TableBackend.TIMESTAMP_COLUMN) + " >= " + timestamp(selection.changedSince()));
        }
        if (selection.changedUntil() != null) {
            parts.add(q(TableBackend.TIMESTAMP_COLUMN) + " < " + timestamp(selection.changedUntil()));
        }
        return parts.isEmpty() ? "" : " WHERE " + String.join(" AND ", parts);
    }

    private static String literal(WhereFilter f, String value) {
        String v = value == null ? "" : value;
        if (v.indexOf('\0') >= 0) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                    "The filter on column \"" + f.column() + "\" has a value with a NUL character, which no value can hold.");
        }
        return PgNames.lit(v);
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

    /** A timestamptz literal, truncated to microseconds as DuckDB's backend stores them. */
    static String timestamp(Instant t) {
        Instant v = t == null ? Instant.now() : t;
        return "'" + v.truncatedTo(ChronoUnit.MICROS) + "'::timestamptz";
    }
}
