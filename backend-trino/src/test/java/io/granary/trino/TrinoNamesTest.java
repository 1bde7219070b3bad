package io.granary.trino;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrinoNamesTest {

    @Test
    void lowerCaseNamesStayReadableOthersAreEncodedReversibly() {
        assertThat(TrinoNames.physical("order_id")).isEqualTo("order_id");
        assertThat(TrinoNames.physical("CustomerId")).isEqualTo("customerid~0u8u");
        assertThat(TrinoNames.physical("in.c-main")).isEqualTo("in_c_main~2x2e_4x2d_");
        for (String name : List.of("order_id", "CustomerId", "in.c-main", "we\"ird name", "a\"b", "c d", "ID", "Id", "id",
                "žluťoučký kůň", "emoji😀x", "123", "_timestamp", "x~y")) {
            String physical = TrinoNames.physical(name);
            assertThat(physical).matches("[a-z0-9_]+(~[0-9a-z_]+)?");
            assertThat(TrinoNames.logical(physical)).isEqualTo(name);
        }
    }

    @Test
    void namesThatDifferOnlyInCaseStayApart() {
        assertThat(List.of("ID", "Id", "id", "iD").stream().map(TrinoNames::physical).distinct()).hasSize(4);
        assertThat(TrinoNames.physical("a_b")).isNotEqualTo(TrinoNames.physical("a-b"));
    }
}
