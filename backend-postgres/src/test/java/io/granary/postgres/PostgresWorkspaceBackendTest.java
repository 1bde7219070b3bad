package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.port.WorkspaceBackend.Login;
import io.granary.core.port.WorkspaceBackendContract;
import java.io.File;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract on PostgreSQL, and what isolation means there, checked with the credentials a create returns over a
 * real connection (pgjdbc, and {@code psql} where it is installed), on a server that checks passwords.
 */
class PostgresWorkspaceBackendTest extends WorkspaceBackendContract {

    private PostgresConfig config;
    private PostgresDatabase database;

    @Override
    protected TableBackend openTables(Path dir) {
        config = TestPostgres.newDatabase();
        database = new PostgresDatabase(config);
        return new PostgresTableBackend(database, 256 * 1024);
    }

    @Override
    protected WorkspaceBackend openWorkspaces(Path dir, TableBackend tables) {
        return new PostgresWorkspaceBackend(database, "localhost", String.valueOf(TestPostgres.server().getPort()),
                256 * 1024);
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    @Override
    protected String otherWorkspaceTable(Login other, String table) {
        return "\"" + other.connection().get("schema") + "\".\"" + table + "\"";
    }

    static Connection connect(Login login) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.connection().get("user"));
        p.setProperty("password", login.password());
        return DriverManager.getConnection("jdbc:postgresql://" + login.connection().get("host") + ":"
                + login.connection().get("port") + "/" + login.connection().get("database"), p);
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

    private void assertRefused(Login login, String sql, String reason) {
        assertThatThrownBy(() -> execute(login, sql)).as(sql).hasMessageContaining(reason);
    }

    @Test
    void aWorkspaceLoginReachesItsSchemaAndNothingElse() {
        Login login = workspaces.create(200, new WorkspaceBackend.Options(false));
        assertThat(login.connection()).containsEntry("backend", "postgresql").containsEntry("schema", "WORKSPACE_200")
                .containsEntry("warehouse", "").containsEntry("database", database());
        // its own schema, by default, without qualification
        execute(login, "CREATE TABLE result AS SELECT 1 AS n");
        assertThat(query(login, "SELECT n FROM result")).containsExactly(List.of("1"));
        assertThat(query(login, "SELECT current_schema()")).containsExactly(List.of("WORKSPACE_200"));

        // not Storage's tables, not the catalog
        assertRefused(login, "SELECT * FROM \"in.c-main\".\"orders\"", "permission denied for schema in.c-main");
        assertRefused(login, "SELECT * FROM public.tokens", "permission denied for table tokens");
        assertRefused(login, "SELECT * FROM public.workspaces", "permission denied for table workspaces");
        // no new roles, databases, schemas, or tables outside its schema
        assertRefused(login, "CREATE ROLE intruder", "permission denied to create role");
        assertRefused(login, "CREATE DATABASE intruder", "permission denied to create database");
        assertRefused(login, "CREATE SCHEMA intruder", "permission denied for database");
        assertRefused(login, "CREATE TABLE public.intruder (a int)", "permission denied for schema public");
        assertRefused(login, "ALTER ROLE " + login.connection().get("user") + " SUPERUSER", "permission denied");
        assertRefused(login, "SET ROLE postgres", "permission denied to set role");
        assertRefused(login, "SELECT pg_read_file('postgresql.conf')", "permission denied");
    }

    @Test
    void readOnlyStorageAccessReadsEveryBucketNowAndLaterButWritesNone() {
        Login login = workspaces.create(201, new WorkspaceBackend.Options(true));
        assertThat(query(login, "SELECT count(*) FROM \"in.c-main\".\"orders\"")).containsExactly(List.of("4"));
        assertRefused(login, "INSERT INTO \"in.c-main\".\"orders\" (id) VALUES ('x')", "permission denied");
        assertRefused(login, "DELETE FROM \"in.c-main\".\"orders\"", "permission denied");
        assertRefused(login, "SELECT * FROM public.tokens", "permission denied");

        // a bucket made later, and a table replaced by a full load, are readable too
        TableRef later = new TableRef("out.c-later", "made");
        tables.createTable(later, List.of("v"));
        tables.load(later, new LoadRequest(List.of(file("v\n1\n2\n")), true, CsvDialect.RFC, List.of("v"), false,
                List.of(), Instant.now(), null), noProgress());
        assertThat(query(login, "SELECT count(*) FROM \"out.c-later\".\"made\"")).containsExactly(List.of("2"));

        // another workspace's login without the option still reads nothing of Storage
        Login plain = workspaces.create(202, new WorkspaceBackend.Options(false));
        assertRefused(plain, "SELECT * FROM \"out.c-later\".\"made\"", "permission denied");
        assertRefused(login, "SELECT * FROM \"WORKSPACE_202\".anything", "permission denied for schema WORKSPACE_202");
    }

    @Test
    void anUnloadReadsWithTheWorkspacesRightsSoAPlantedFunctionLeaksNothing() {
        Login login = workspaces.create(203, new WorkspaceBackend.Options(false));
        // a function that reads Storage, and a view calling it: as Granary's user it would read the orders
        // (function bodies unchecked, as a component restoring a dump does: the login could not create it otherwise)
        execute(login, "SET check_function_bodies = off; CREATE FUNCTION steal() RETURNS SETOF text LANGUAGE sql AS"
                + " 'SELECT name FROM \"in.c-main\".\"orders\"'; CREATE VIEW sneaky AS SELECT steal() AS name");
        assertThat(workspaces.columns(203, "sneaky")).containsExactly("name");
        assertThatThrownBy(() -> workspaces.export(203, "sneaky", List.of("name"), dir.resolve("sneaky")))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.WORKSPACES_VALIDATION))
                .hasMessageContaining("permission denied for schema in.c-main");
    }

    @Test
    void deletingAWorkspaceEndsItsSessionsAndItsLogin() throws Exception {
        Login login = workspaces.create(204, new WorkspaceBackend.Options(false));
        try (Connection open = connect(login); Statement s = open.createStatement()) {
            s.execute("SELECT 1");
            workspaces.drop(204);
            assertThatThrownBy(() -> s.execute("SELECT 1")).isInstanceOf(SQLException.class);
        }
        assertThatThrownBy(() -> connect(login)).isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = '"
                        + login.connection().get("user") + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        Login login = workspaces.create(205, new WorkspaceBackend.Options(false));
        Login wrong = new Login(login.connection(), login.password() + "x");
        assertThatThrownBy(() -> connect(wrong)).isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void theServerNeverSeesAPasswordInClear() throws Exception {
        Login login = workspaces.create(206, new WorkspaceBackend.Options(false));
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '"
                        + login.connection().get("user") + "'")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("SCRAM-SHA-256$").doesNotContain(login.password());
        }
    }

    @Test
    void psqlConnectsWithTheReturnedCredentialsAndIsRefusedTheRest() throws Exception {
        assumeTrue(psql() != null, "psql is not installed");
        Login login = workspaces.create(207, new WorkspaceBackend.Options(false));
        workspaces.load(207, false, List.of(all("orders")), noProgress());
        assertThat(psql(login, "SELECT count(*) FROM orders")).isEqualTo(new Psql(0, "4"));
        Psql refused = psql(login, "SELECT * FROM \"in.c-main\".\"orders\"");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.output()).contains("permission denied for schema in.c-main");
        workspaces.drop(207);
        Psql gone = psql(login, "SELECT 1");
        assertThat(gone.exit()).isNotZero();
        assertThat(gone.output()).contains("password authentication failed");
    }

    private record Psql(int exit, String output) {
    }

    private static String psql() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "psql");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    private static Psql psql(Login login, String sql) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(psql(), "-X", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1",
                "-h", login.connection().get("host"), "-p", login.connection().get("port"),
                "-U", login.connection().get("user"), "-d", login.connection().get("database"), "-c", sql)
                .redirectErrorStream(true);
        // the password as psql users pass it, never on the command line
        pb.environment().put("PGPASSWORD", login.password());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Psql(p.exitValue(), out);
    }

    private String database() {
        String url = config.url();
        return url.substring(url.lastIndexOf('/') + 1);
    }
}
