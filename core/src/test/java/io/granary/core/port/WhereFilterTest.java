package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend.WhereFilter;
import io.granary.core.port.TableBackend.WhereFilter.Operator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A filter is checked once, when it is made: whatever reaches a backend can run. */
class WhereFilterTest {

    @Test
    void operatorsReadAsClientsSpellThem() {
        assertThat(WhereFilter.of("c", " GE ", List.of("1")).operator()).isEqualTo(Operator.GE);
        assertThat(WhereFilter.of("c", null, List.of("1")).operator()).isEqualTo(Operator.EQ);
        assertThat(WhereFilter.of("c", "", List.of("1", "2")).operator()).isEqualTo(Operator.EQ);
        assertThat(WhereFilter.of("c", "ne", Arrays.asList("1", null)).values()).containsExactly("1", "");
    }

    @Test
    void whatNoBackendCouldRunIsRefused() {
        refused(() -> WhereFilter.of("c", "Like", List.of("1")), ErrorCode.TABLES_VALIDATION,
                "Invalid where operator Like");
        refused(() -> WhereFilter.of("c", "eq", List.of()), ErrorCode.INVALID_FILTER_VALUES,
                "Invalid request: whereValues: give at least one value for column \"c\".");
        refused(() -> WhereFilter.of("c", "lt", List.of("1", "2")), ErrorCode.INVALID_FILTER_VALUES,
                "The filter operator \"lt\" on column \"c\" takes exactly one value.");
    }

    private static void refused(Runnable make, ErrorCode code, String message) {
        assertThatThrownBy(make::run).isInstanceOfSatisfying(GranaryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(code)).hasMessage(message);
    }
}
