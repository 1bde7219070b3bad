package io.granary.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.port.WorkspaceBackend.Login;
import io.granary.core.port.WorkspaceBackendContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DuckDbWorkspaceBackendTest extends WorkspaceBackendContract {

    private DuckDbDatabase database;

    @Override
    protected TableBackend openTables(Path dir) {
        database = new DuckDbDatabase(dir.resolve("tables.duckdb"));
        return new DuckDbTableBackend(database, dir.resolve("tmp"), 1L << 30, 256 * 1024);
    }

    @Override
    protected WorkspaceBackend openWorkspaces(Path dir, TableBackend tables) {
        return new DuckDbWorkspaceBackend(database, dir, dir.resolve("tmp"), 256L << 20, 256 * 1024);
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    @Override
    protected boolean hasLogins() {
        return false;
    }

    @Override
    protected String otherWorkspaceTable(Login other, String table) {
        throw new UnsupportedOperationException("an embedded workspace is a file, not a login");
    }

    /** The component's side: its own DuckDB on the file the connection names. */
    private static Connection connect(Login login) throws SQLException {
        return DriverManager.getConnection("jdbc:duckdb:" + login.connection().get("database"));
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

    @Test
    void theConnectionNamesTheWorkspaceFileNeverTheTablesFile() {
        Login login = workspaces.create(7, new WorkspaceBackend.Options(false));
        Path file = Path.of(login.connection().get("database"));
        assertThat(file).isAbsolute().exists().hasFileName("WORKSPACE_7.duckdb");
        assertThat(file).isNotEqualTo(database.file().toAbsolutePath());
        assertThat(login.connection()).containsEntry("schema", "main").containsEntry("host", "").containsEntry("user", "")
                .containsEntry("port", "");
        assertThat(login.password()).isEmpty();
        workspaces.drop(7);
        assertThat(file).doesNotExist();
    }

    @Test
    void readOnlyStorageAccessGivesARefreshedReadOnlyCopyOfStoragesTablesAndNothingElse() throws Exception {
        Login plain = workspaces.create(11, new WorkspaceBackend.Options(false));
        assertThat(plain.connection()).containsEntry("storageDatabase", "");
        assertThat(((DuckDbWorkspaceBackend) workspaces).storageFile(11)).doesNotExist();

        Login login = workspaces.create(8, new WorkspaceBackend.Options(true));
        Path copy = Path.of(login.connection().get("storageDatabase"));
        assertThat(copy).isAbsolute().exists().isNotEqualTo(database.file().toAbsolutePath())
                .isNotEqualTo(Path.of(login.connection().get("database")));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)))
                .isEqualTo("r--r--r--");
        String attach = "ATTACH '" + copy + "' AS storage (READ_ONLY)";
        try (Connection c = connect(login); Statement s = c.createStatement()) {
            s.execute(attach);
            try (ResultSet rs = s.executeQuery("SELECT string_agg(id || ':' || name, ',' ORDER BY id)"
                    + " FROM storage.\"in.c-main\".orders")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("1:alice,2:bob,3:carol,4:dan");
            }
            assertThatThrownBy(() -> c.createStatement().execute("INSERT INTO storage.\"in.c-main\".orders (id) VALUES ('9')"))
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> c.createStatement().execute("CREATE TABLE storage.main.mine (n INT)")).hasMessageContaining("read-only");
            // the workspace's own file stays writable
            c.createStatement().execute("CREATE TABLE mine AS SELECT count(*) AS n FROM storage.\"in.c-main\".orders");
        }
        // Storage's table as it was: the copy is the only thing the workspace reaches
        assertThat(query(login, "SELECT n FROM mine")).containsExactly(List.of("4"));

        // a load makes the copy again: Storage as of that load
        tables.load(orders, new LoadRequest(List.of(file("id,name,status\n5,eve,open\n")), true, CsvDialect.RFC,
                List.of("id", "name", "status"), true, List.of(), java.time.Instant.parse("2026-03-01T00:00:00Z"), null),
                noProgress());
        workspaces.load(8, true, List.of(all("loaded")), noProgress());
        try (Connection c = connect(login); Statement s = c.createStatement()) {
            s.execute(attach);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM storage.\"in.c-main\".orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(5);
            }
        }
        workspaces.drop(8);
        assertThat(copy).doesNotExist();
        try (var left = Files.list(copy.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("WORKSPACE_8"));
        }
    }

    @Test
    void aViewOverStoragesDatabaseReadsNothingWhenUnloaded() throws Exception {
        Login login = workspaces.create(9, new WorkspaceBackend.Options(false));
        // a component that knows Granary's file layout plants a view naming Storage's catalog ("tables") and a file
        String tablesFile = database.file().toAbsolutePath().toString();
        execute(login, "ATTACH ':memory:' AS tables; CREATE SCHEMA tables.\"in.c-main\";"
                + " CREATE TABLE tables.\"in.c-main\".orders (id VARCHAR, name VARCHAR, status VARCHAR);"
                + " CREATE VIEW sneaky AS SELECT id FROM tables.\"in.c-main\".orders;"
                + " CREATE VIEW reads_a_file AS SELECT * FROM read_text('" + tablesFile + "');"
                + " DETACH tables;");
        assertThat(workspaces.columns(9, "sneaky")).containsExactly("id");
        assertThatThrownBy(() -> workspaces.export(9, "sneaky", List.of("id"), dir.resolve("sneaky")))
                .isInstanceOf(GranaryException.class).hasMessageContaining("tables");
        assertThatThrownBy(() -> workspaces.export(9, "reads_a_file", List.of("content"), dir.resolve("file")))
                .isInstanceOf(GranaryException.class);
    }

    @Test
    void aFileTheComponentHoldsOpenFailsTheJobWithItsReason() throws Exception {
        Login login = workspaces.create(10, new WorkspaceBackend.Options(false));
        Path file = Path.of(login.connection().get("database"));
        Process holder = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                HoldOpen.class.getName(), file.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(5))).isEqualTo("open\n");
            assertThatThrownBy(() -> workspaces.load(10, false, List.of(all("copy")), noProgress()))
                    .isInstanceOfSatisfying(GranaryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.WORKSPACE_LOCKED))
                    .hasMessageContaining("is open in another process");
        } finally {
            holder.destroy();
            holder.waitFor();
        }
        workspaces.load(10, false, List.of(all("copy")), noProgress());
        assertThat(query(login, "SELECT count(*) FROM copy")).containsExactly(List.of("4"));
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A second process holding a workspace file open, as a running component does. */
    public static final class HoldOpen {
        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
                c.createStatement().execute("CREATE TABLE IF NOT EXISTS held (a VARCHAR)");
                System.out.print("open\n");
                System.out.flush();
                Thread.sleep(60_000);
            }
        }
    }
}
