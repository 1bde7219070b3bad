package io.granary.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL every backend runs for a selection; an engine changes only what its dialect spells differently. */
class SelectionSqlTest {

    private static final Instant SINCE = Instant.parse("2024-01-01T10:00:00Z");
    private static final Instant UNTIL = Instant.parse("2024-01-02T10:00:00Z");

    /** A dialect as a third engine would write one: only the timestamp type differs from standard SQL. */
    private static final SqlDialect ENGINE = new SqlDialect() {
        @Override
        public String timestampLiteral(Instant t) {
            return "TIMESTAMP '" + t + "'";
        }

        @Override
        public String timestampParameter() {
            return "CAST(? AS TIMESTAMP)";
        }

        @Override
        public Object timestampValue(Instant t) {
            return t.toString();
        }

        @Override
        public void checkValue(String column, String value) {
            if (value.contains("\0")) {
                throw new IllegalArgumentException("NUL in " + column);
            }
        }
    };

    private static final RowSelection SELECTION = new RowSelection(List.of(
            WhereFilter.of("status", "eq", List.of("paid", "it's")),
            WhereFilter.of("status", "ne", List.of("x")),
            WhereFilter.of("amount", "gt", List.of("1")),
            WhereFilter.of("amount", "le", List.of("9"))), SINCE, UNTIL);

    private static String column(String name) {
        if (name.equals("nope")) {
            throw SelectionSql.unknownColumn(name);
        }
        return ENGINE.quote(name.toUpperCase());
    }

    @Test
    void valuesAsBindParametersInOrder() {
        SqlValues values = SqlValues.parameters(ENGINE);
        assertThat(SelectionSql.where(SELECTION, SelectionSqlTest::column, ENGINE, values)).isEqualTo(
                " WHERE \"STATUS\" IN (?, ?) AND \"STATUS\" NOT IN (?) AND \"AMOUNT\" > ? AND \"AMOUNT\" <= ?"
                        + " AND \"_timestamp\" >= CAST(? AS TIMESTAMP) AND \"_timestamp\" < CAST(? AS TIMESTAMP)");
        assertThat(values.parameters()).containsExactly("paid", "it's", "x", "1", "9", SINCE.toString(),
                UNTIL.toString());
    }

    @Test
    void valuesAsLiteralsForStatementsThatTakeNoParameters() {
        SqlValues values = SqlValues.literals(ENGINE);
        assertThat(SelectionSql.where(SELECTION, SelectionSqlTest::column, ENGINE, values)).isEqualTo(
                " WHERE \"STATUS\" IN ('paid', 'it''s') AND \"STATUS\" NOT IN ('x') AND \"AMOUNT\" > '1'"
                        + " AND \"AMOUNT\" <= '9' AND \"_timestamp\" >= TIMESTAMP '2024-01-01T10:00:00Z'"
                        + " AND \"_timestamp\" < TIMESTAMP '2024-01-02T10:00:00Z'");
        assertThat(values.parameters()).isEmpty();
    }

    @Test
    void everyRowWhenNothingNarrowsTheSelection() {
        assertThat(SelectionSql.where(RowSelection.ALL, SelectionSqlTest::column, ENGINE, SqlValues.parameters(ENGINE)))
                .isEmpty();
        assertThat(SelectionSql.where(null, SelectionSqlTest::column, ENGINE, SqlValues.parameters(ENGINE))).isEmpty();
    }

    @Test
    void theTablesColumnsAndTheEnginesValuesAreChecked() {
        RowSelection unknown = new RowSelection(List.of(WhereFilter.of("nope", "eq", List.of("1"))), null, null);
        assertThatThrownBy(() -> SelectionSql.where(unknown, SelectionSqlTest::column, ENGINE, SqlValues.literals(ENGINE)))
                .isInstanceOf(GranaryException.class)
                .hasMessage("Cannot filter by column \"nope\": the table has no such column.");
        RowSelection nul = new RowSelection(List.of(WhereFilter.of("status", "eq", List.of("a\0b"))), null, null);
        assertThatThrownBy(() -> SelectionSql.where(nul, SelectionSqlTest::column, ENGINE, SqlValues.literals(ENGINE)))
                .hasMessage("NUL in status");
    }
}
