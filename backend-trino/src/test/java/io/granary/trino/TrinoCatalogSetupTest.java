package io.granary.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrinoCatalogSetupTest {

    private final TrinoTestLake lake = TrinoTestLake.shared();

    @Test
    void catalogsCreatedAtRunTimeKeepIcebergMetadataInPostgresAndDataInGranarysStore() throws Exception {
        try (Connection c = TestTrino.connect(); Statement s = c.createStatement()) {
            assertThat(TrinoCatalogSetup.catalogs(c)).contains(TrinoTestLake.ICEBERG, TrinoTestLake.HIVE);
            s.execute("CREATE SCHEMA " + TrinoTestLake.ICEBERG + ".setup_test");
            s.execute("CREATE TABLE " + TrinoTestLake.ICEBERG + ".setup_test.t (a varchar, b varchar)");
            s.execute("INSERT INTO " + TrinoTestLake.ICEBERG + ".setup_test.t VALUES ('1', 'x'), ('2', 'y')");
            assertThat(rows(s, "SELECT a, b FROM " + TrinoTestLake.ICEBERG + ".setup_test.t ORDER BY a"))
                    .containsExactly(List.of("1", "x"), List.of("2", "y"));
        }
        assertThat(lake.store.list("trino/setup_test/")).anySatisfy(o -> assertThat(o.key()).endsWith(".parquet"));
        assertThat(lake.store.list("trino/setup_test/")).anySatisfy(o -> assertThat(o.key()).endsWith(".metadata.json"));
        try (Connection pg = java.sql.DriverManager.getConnection(lake.icebergDatabase.url(), lake.icebergDatabase.user(),
                lake.icebergDatabase.password()); Statement s = pg.createStatement()) {
            assertThat(rows(s, "SELECT catalog_name, table_namespace, table_name FROM iceberg_tables WHERE table_namespace = 'setup_test'"))
                    .containsExactly(List.of(TrinoTestLake.ICEBERG, "setup_test", "t"));
        }
    }

    @Test
    void ensureIsIdempotentAndOnlyGranarysUserSeesTheCredentialsInQueryHistory() throws Exception {
        String history = "SELECT query FROM system.runtime.queries WHERE query LIKE 'CREATE CATALOG%setup_test_again%'";
        try (Connection c = TestTrino.connect(); Statement s = c.createStatement();
                Connection other = TestTrino.connect("someone-else"); Statement os = other.createStatement()) {
            String sql = TrinoCatalogSetup.hiveCatalog("setup_test_again", lake.s3, "trino-again/");
            assertThat(TrinoCatalogSetup.ensure(c, "setup_test_again", sql)).isTrue();
            assertThat(TrinoCatalogSetup.ensure(c, "setup_test_again", sql)).isFalse();
            // Trino keeps the statement text, secrets included: LocalTrino lets no other user see it
            assertThat(rows(s, history)).isNotEmpty().allSatisfy(q -> assertThat(q.get(0)).contains(TrinoTestLake.SECRET));
            assertThat(rows(os, history)).isEmpty();
            assertThat(rows(os, "SELECT count(*) FROM system.runtime.queries")).isNotEmpty();
            assertThat(java.nio.file.Files.readString(TestTrino.server().log())).doesNotContain(TrinoTestLake.SECRET);
            TrinoCatalogSetup.drop(c, "setup_test_again");
            assertThat(TrinoCatalogSetup.catalogs(c)).doesNotContain("setup_test_again");
        }
    }

    @Test
    void aCatalogWithAWrongSecretIsCreatedButItsQueriesFailWithAnS3Error() throws Exception {
        TrinoCatalogSetup.S3 wrong = new TrinoCatalogSetup.S3(lake.s3.endpoint(), "us-east-1", lake.s3.bucket(),
                lake.s3.accessKey(), "not-the-secret", true);
        try (Connection c = TestTrino.connect(); Statement s = c.createStatement()) {
            TrinoCatalogSetup.ensure(c, "setup_test_wrong", TrinoCatalogSetup.hiveCatalog("setup_test_wrong", wrong, "trino-w/"));
            assertThatThrownBy(() -> s.execute("CREATE SCHEMA setup_test_wrong.x"))
                    .isInstanceOf(SQLException.class);
            TrinoCatalogSetup.drop(c, "setup_test_wrong");
        }
    }

    static List<List<String>> rows(Statement s, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery(sql)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(r.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }
}
