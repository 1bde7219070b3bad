package io.granary.trino;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TrinoFixtureTest {

    @Test
    void theSharedServerAnswersQueriesFromJava17() throws Exception {
        try (Connection c = TestTrino.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT node_version, coordinator FROM system.runtime.nodes")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo(TrinoDistribution.version());
            assertThat(r.getBoolean(2)).isTrue();
            assertThat(r.next()).isFalse();
        }
        assertThat(Runtime.version().feature()).isEqualTo(17);
        assertThat(TestTrino.server()).isSameAs(TestTrino.server());
    }
}
