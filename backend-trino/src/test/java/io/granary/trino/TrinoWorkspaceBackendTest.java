package io.granary.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.port.WorkspaceBackend.Login;
import io.granary.core.port.WorkspaceBackendContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The contract on the shared Trino, and what isolation means there, checked with the credentials a create returns
 * over a real Trino JDBC connection (HTTPS, password) to the catalog and schema the connection names. Storage's
 * tables are in the test lake's catalog; the table backend and the workspaces share it, as on a node.
 */
class TrinoWorkspaceBackendTest extends WorkspaceBackendContract {

    private final TrinoTestLake lake = TrinoTestLake.shared();

    @Override
    protected TableBackend openTables(Path dir) {
        lake.wipe();
        return lake.open(dir.resolve("tmp"));
    }

    @Override
    protected WorkspaceBackend openWorkspaces(Path dir, TableBackend tables) {
        return lake.openWorkspaces((TrinoTableBackend) tables, dir.resolve("tmp"));
    }

    @Override
    protected String otherWorkspaceTable(Login other, String table) {
        return "\"" + other.connection().get("schema") + "\".\"" + table + "\"";
    }

    /** As a component connects: the catalog and schema of the connection, HTTPS with the server's certificate. */
    static Connection connect(Login login) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.connection().get("user"));
        p.setProperty("password", login.password());
        p.setProperty("SSL", "true");
        p.setProperty("SSLTrustStorePath", TestTrino.server().certificate().toString());
        return DriverManager.getConnection("jdbc:trino://" + login.connection().get("host") + ":"
                + login.connection().get("port") + "/" + login.connection().get("catalog") + "/"
                + login.connection().get("schema"), p);
    }

    @Override
    protected List<List<String>> query(Login login, String sql) {
        try (Connection c = connect(login); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<List<String>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    protected void execute(Login login, String sql) {
        try (Connection c = connect(login); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Trino names are lower-case: {@code WORKSPACE_1} is {@code workspace_1} in information_schema. */
    @Override
    protected List<String> tableNames(Login login) {
        List<String> out = new ArrayList<>();
        for (List<String> row : query(login, "SELECT table_name FROM information_schema.tables WHERE table_schema = lower('"
                + login.connection().get("schema") + "')")) {
            out.add(row.get(0));
        }
        return out;
    }

    private void assertRefused(Login login, String sql, String reason) {
        assertThatThrownBy(() -> execute(login, sql)).as(sql).hasMessageContaining(reason);
    }

    private String bucketTable() {
        return "\"" + lake.catalog + "\".\"" + TrinoNames.object(orders.bucketId()) + "\".\""
                + TrinoNames.object(orders.name()) + "\"";
    }

    @Test
    void aWorkspaceLoginReachesItsSchemaAndNothingElse() {
        Login login = workspaces.create(200, new WorkspaceBackend.Options(false));
        assertThat(login.connection()).containsEntry("backend", "trino").containsEntry("schema", "WORKSPACE_200")
                .containsEntry("catalog", lake.catalog).containsEntry("database", lake.catalog)
                .containsEntry("warehouse", "").containsEntry("port", String.valueOf(TestTrino.server().url().getPort()));
        // its own schema, by default, without qualification
        execute(login, "CREATE TABLE result AS SELECT 1 AS n");
        assertThat(query(login, "SELECT n FROM result")).containsExactly(List.of("1"));

        // not Storage's tables, not the staging catalog, not the catalog's other schemas
        assertRefused(login, "SELECT * FROM " + bucketTable(), "Access Denied");
        // what the user may not see does not exist for it (Trino hides names as well as rows)
        assertRefused(login, "SHOW TABLES FROM \"" + lake.catalog + "_staging\".granary", "Access Denied");
        assertRefused(login, "CREATE SCHEMA intruder", "Access Denied");
        assertRefused(login, "CREATE TABLE \"" + TrinoNames.object(orders.bucketId()) + "\".planted (a varchar)",
                "Access Denied");
        assertRefused(login, "DROP TABLE " + bucketTable(), "Access Denied");
        assertRefused(login, "CREATE CATALOG intruder USING memory", "Access Denied");
        assertThat(query(login, "SHOW SCHEMAS")).extracting(r -> r.get(0))
                .containsExactly("workspace_200");
        // only its own queries: Granary's (which name the catalogs' credentials) stay hidden
        assertThat(query(login, "SELECT DISTINCT \"user\" FROM system.runtime.queries")).extracting(r -> r.get(0))
                .containsOnly(login.connection().get("user"));
        // a session as Granary's user is not to be had
        Properties p = new Properties();
        p.setProperty("user", login.connection().get("user"));
        p.setProperty("password", login.password());
        p.setProperty("sessionUser", LocalTrino.GRANARY_USER);
        p.setProperty("SSL", "true");
        p.setProperty("SSLTrustStorePath", TestTrino.server().certificate().toString());
        assertThatThrownBy(() -> {
            try (Connection c = DriverManager.getConnection(TestTrino.server().jdbcUrl(), p);
                    Statement s = c.createStatement()) {
                s.execute("SELECT 1");
            }
        }).hasMessageContaining("Access Denied");
    }

    @Test
    void readOnlyStorageAccessReadsTheBucketsButWritesNothingThere() throws Exception {
        Login login = workspaces.create(201, new WorkspaceBackend.Options(true));
        assertThat(query(login, "SELECT count(*) FROM " + bucketTable())).containsExactly(List.of("4"));
        assertRefused(login, "INSERT INTO " + bucketTable() + " (id) VALUES ('x')", "Access Denied");
        assertRefused(login, "DELETE FROM " + bucketTable(), "Access Denied");
        assertRefused(login, "DROP TABLE " + bucketTable(), "Access Denied");

        // a bucket made later is readable too
        TableRef later = new TableRef("out.c-later", "made");
        tables.createTable(later, List.of("v"));
        Path csv = Files.writeString(dir.resolve("later.csv"), "v\n1\n2\n", StandardCharsets.UTF_8);
        tables.load(later, new LoadRequest(List.of(csv), true, CsvDialect.RFC, List.of("v"), false, List.of(),
                Instant.now(), null), noProgress());
        assertThat(query(login, "SELECT count(*) FROM \"" + lake.catalog + "\".\"" + TrinoNames.object(later.bucketId())
                + "\".made")).containsExactly(List.of("2"));

        // another workspace's login without the option still reads nothing of Storage, nor another workspace
        Login plain = workspaces.create(202, new WorkspaceBackend.Options(false));
        assertRefused(plain, "SELECT * FROM " + bucketTable(), "Access Denied");
        execute(plain, "CREATE TABLE mine AS SELECT 1 AS n");
        assertRefused(login, "SELECT * FROM \"WORKSPACE_202\".mine", "Access Denied");
    }

    @Test
    void anUnloadReadsWithTheWorkspacesRightsSoAPlantedViewLeaksNothing() throws Exception {
        Login login = workspaces.create(203, new WorkspaceBackend.Options(true));
        // a view that reads Storage with the rights of whoever reads it, made while the login could read Storage
        execute(login, "CREATE VIEW sneaky SECURITY INVOKER AS SELECT name FROM " + bucketTable());
        assertThat(workspaces.columns(203, "sneaky")).containsExactly("name");
        assertThat(workspaces.export(203, "sneaky", List.of("name"), dir.resolve("allowed")).rows()).isEqualTo(4);
        // the login loses that right: read as Granary's user the view would still show the orders
        new TrinoAccessFiles(TestTrino.securityDir(), LocalTrino.GRANARY_USER).put(login.connection().get("user"),
                login.password(), new TrinoAccessFiles.Grant(lake.catalog, "workspace_203", false));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                query(login, "SELECT count(*) FROM " + bucketTable());
                assertThat(System.nanoTime()).as("the rules took effect").isLessThan(deadline);
                Thread.sleep(200);
            } catch (IllegalStateException refused) {
                break;
            }
        }
        assertThatThrownBy(() -> workspaces.export(203, "sneaky", List.of("name"), dir.resolve("sneaky")))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.WORKSPACES_VALIDATION))
                .hasMessageContaining("Access Denied");
    }

    @Test
    void onlyTheRightPasswordOverHttpsLogsInAndDeletingAWorkspaceEndsItsLogin() throws Exception {
        Login login = workspaces.create(205, new WorkspaceBackend.Options(false));
        Login wrong = new Login(login.connection(), login.password() + "x");
        assertThatThrownBy(() -> query(wrong, "SELECT 1")).hasMessageContaining("Invalid credentials");
        // the HTTP port is for Trino's own requests: no login over it
        Properties p = new Properties();
        p.setProperty("user", LocalTrino.GRANARY_USER);
        assertThatThrownBy(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:trino://127.0.0.1:" + TestTrino.server().port(), p);
                    Statement s = c.createStatement()) {
                s.execute("SELECT 1");
            }
        }).isInstanceOf(SQLException.class).hasMessageContaining("Authentication over HTTP is not enabled");
        // the password file holds salted hashes, never a password
        assertThat(Files.readString(TestTrino.securityDir().resolve(TrinoAccessFiles.PASSWORDS)))
                .contains(login.connection().get("user") + ":10000:").doesNotContain(login.password())
                .doesNotContain(TestTrino.PASSWORD);

        try (Connection open = connect(login); Statement s = open.createStatement()) {
            s.execute("SELECT 1");
            workspaces.drop(205);
            // every Trino request is authenticated: an open connection is refused too
            assertThatThrownBy(() -> s.execute("SELECT 1")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("Invalid credentials");
        }
        assertThatThrownBy(() -> connect(login).createStatement().execute("SELECT 1")).isInstanceOf(SQLException.class)
                .hasMessageContaining("Invalid credentials");
        assertThat(Files.readString(TestTrino.securityDir().resolve(TrinoAccessFiles.PASSWORDS)))
                .doesNotContain(login.connection().get("user") + ":");
        assertThat(Files.readString(TestTrino.securityDir().resolve(TrinoAccessFiles.RULES)))
                .doesNotContain(login.connection().get("user"));
    }
}
