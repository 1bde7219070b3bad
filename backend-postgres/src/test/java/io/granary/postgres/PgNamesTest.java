package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PgNamesTest {

    @Test
    void namesThatFitAreKeptAndLongerOnesShortenedDeterministically() {
        String fits = "a".repeat(63);
        assertThat(PgNames.physical(fits)).isEqualTo(fits);
        String col64 = "c".repeat(64);
        String shortened = PgNames.physical(col64);
        assertThat(shortened).startsWith("c".repeat(50) + "~").hasSize(63).isEqualTo(PgNames.physical(col64));
        assertThat(PgNames.physical("c".repeat(63) + "d")).isNotEqualTo(shortened);
        assertThat(PgNames.logical(shortened, col64)).isEqualTo(col64);
        assertThat(PgNames.logical("other", col64)).isEqualTo("other");
        assertThat(PgNames.logical("plain", null)).isEqualTo("plain");
    }

    @Test
    void multibyteNamesAreCutAtCharacterBoundaries() {
        String name = "ž".repeat(40); // 80 bytes
        String p = PgNames.physical(name);
        assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(p).startsWith("ž".repeat(25) + "~");
        assertThat(PgNames.physical("🚀".repeat(16))).startsWith("🚀".repeat(12) + "~");
    }

    @Test
    void reservedSchemaPrefixAndQuoting() {
        assertThat(PgNames.schema("pg_x")).isEqualTo("_pg_x");
        assertThat(PgNames.schema("in.c-main")).isEqualTo("in.c-main");
        assertThat(PgNames.q("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(PgNames.lit("it's a \\ path")).isEqualTo("E'it''s a \\\\ path'");
    }
}
