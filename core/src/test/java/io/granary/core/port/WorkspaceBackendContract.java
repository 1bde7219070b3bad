package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import io.granary.core.port.WorkspaceBackend.ColumnMapping;
import io.granary.core.port.WorkspaceBackend.LoadTable;
import io.granary.core.port.WorkspaceBackend.LoadedTable;
import io.granary.core.port.WorkspaceBackend.Login;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link WorkspaceBackend} must do, checked the way a component sees it: through the login a create
 * returns ({@link #query}, {@link #execute}), never through Granary's own connection. Subclasses open a fresh table
 * backend and its workspace backend; engines without logins of their own say so ({@link #hasLogins()}) and skip the
 * checks that need one.
 */
public abstract class WorkspaceBackendContract {

    @TempDir
    protected Path dir;

    protected TableBackend tables;
    protected WorkspaceBackend workspaces;

    protected final TableRef orders = new TableRef("in.c-main", "orders");
    private final Instant t1 = Instant.parse("2024-01-01T10:00:00Z");
    private final Instant t2 = Instant.parse("2024-01-02T10:00:00Z");
    private int fileNo;

    /** A fresh, empty table backend in {@code dir}. */
    protected abstract TableBackend openTables(Path dir);

    /** Its workspaces. */
    protected abstract WorkspaceBackend openWorkspaces(Path dir, TableBackend tables);

    /** The rows of {@code sql} run as a component would, with {@code login}; every value as a string, NULL as null. */
    protected abstract List<List<String>> query(Login login, String sql);

    /** Runs {@code sql} (one or more statements) as a component would, with {@code login}. */
    protected abstract void execute(Login login, String sql);

    /** Whether a workspace has a login of its own (a password that can change, a user the engine refuses elsewhere). */
    protected boolean hasLogins() {
        return true;
    }

    /** Fails unless connecting with {@code login} is refused. */
    protected void assertCannotConnect(Login login) {
        assertThatThrownBy(() -> query(login, "SELECT 1")).isNotNull();
    }

    /** How the component names workspace table {@code table} of another workspace than its own. */
    protected abstract String otherWorkspaceTable(Login other, String table);

    @BeforeEach
    void open() {
        tables = openTables(dir.resolve("tables"));
        workspaces = openWorkspaces(dir.resolve("workspaces"), tables);
        tables.createTable(orders, List.of("id", "name", "status"));
        tables.load(orders, new LoadRequest(List.of(file("id,name,status\n1,alice,paid\n2,bob,open\n3,carol,paid\n")),
                true, CsvDialect.RFC, List.of("id", "name", "status"), false, List.of(), t1, null), noProgress());
        tables.load(orders, new LoadRequest(List.of(file("id,name,status\n4,dan,paid\n")), true, CsvDialect.RFC,
                List.of("id", "name", "status"), true, List.of(), t2, null), noProgress());
    }

    @AfterEach
    void close() {
        workspaces.close();
        tables.close();
    }

    // ---- create, drop

    @Test
    void aNewWorkspaceIsEmptyAndNamesEveryConnectionField() {
        Login login = workspaces.create(101, new WorkspaceBackend.Options(false));
        assertThat(login.connection()).containsEntry("backend", workspaces.name())
                .containsKeys("host", "port", "database", "schema", "warehouse", "user")
                .doesNotContainKey("password");
        assertThat(login.connection().values()).doesNotContainNull();
        assertThat(login.password()).isNotNull();
        if (hasLogins()) {
            assertThat(login.password()).hasSizeGreaterThanOrEqualTo(20);
            assertThat(login.connection().get("schema")).isEqualTo("WORKSPACE_101");
            assertThat(login.toString()).doesNotContain(login.password());
        }
        assertThat(tableNames(login)).isEmpty();
    }

    @Test
    void createReplacesWhatAnEarlierCreateOfTheSameIdLeft() {
        Login first = workspaces.create(102, new WorkspaceBackend.Options(false));
        execute(first, "CREATE TABLE leftover (a VARCHAR)");
        Login second = workspaces.create(102, new WorkspaceBackend.Options(false));
        assertThat(tableNames(second)).isEmpty();
        if (hasLogins()) {
            assertCannotConnect(first);
        }
    }

    @Test
    void dropRemovesTheWorkspaceAndItsLoginAndMayBeRepeated() {
        Login login = workspaces.create(103, new WorkspaceBackend.Options(false));
        workspaces.load(103, false, List.of(all("copy")), noProgress());
        workspaces.drop(103);
        workspaces.drop(103);
        workspaces.drop(999_999);
        assertCode(() -> workspaces.columns(103, "copy"), ErrorCode.WORKSPACES_NOT_FOUND, ErrorCode.WORKSPACE_TABLE_NOT_FOUND);
        if (hasLogins()) {
            assertCannotConnect(login);
        }
    }

    @Test
    void aResetPasswordReplacesTheOldOne() {
        Login login = workspaces.create(104, new WorkspaceBackend.Options(false));
        String password = workspaces.resetPassword(104);
        if (!hasLogins()) {
            assertThat(password).isEmpty();
            return;
        }
        assertThat(password).isNotEqualTo(login.password()).hasSizeGreaterThanOrEqualTo(20);
        assertCannotConnect(login);
        Login renewed = new Login(login.connection(), password);
        assertThat(tableNames(renewed)).isEmpty();
    }

    // ---- loads

    @Test
    void aLoadCopiesTheSelectedColumnsAndRows() {
        Login login = workspaces.create(110, new WorkspaceBackend.Options(false));
        LoadTable paid = new LoadTable(orders, "paid", List.of(new ColumnMapping("id", "order_id"),
                new ColumnMapping("name", "name")),
                new RowSelection(List.of(WhereFilter.of("status", "eq", List.of("paid"))), null, null), null, false, false);
        LoadTable recent = new LoadTable(orders, "recent", List.of(), new RowSelection(List.of(), t2, null), null, false,
                true);
        LoadTable two = new LoadTable(orders, "two", List.of(new ColumnMapping("id", "id")), RowSelection.ALL, 2L, false,
                false);
        List<LoadedTable> loaded = workspaces.load(110, false, List.of(paid, recent, two), noProgress());
        assertThat(loaded).extracting(LoadedTable::destination, LoadedTable::rows)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("paid", 3L),
                        org.assertj.core.groups.Tuple.tuple("recent", 1L), org.assertj.core.groups.Tuple.tuple("two", 2L));
        assertThat(query(login, "SELECT order_id, name FROM paid ORDER BY order_id")).containsExactly(
                List.of("1", "alice"), List.of("3", "carol"), List.of("4", "dan"));
        assertThat(workspaces.columns(110, "paid")).containsExactly("order_id", "name");
        assertThat(workspaces.columns(110, "recent")).containsExactly("id", "name", "status", "_timestamp");
        assertThat(query(login, "SELECT id, name, status FROM recent")).containsExactly(List.of("4", "dan", "paid"));
        assertThat(query(login, "SELECT count(*) FROM two")).containsExactly(List.of("2"));
        assertThat(tableNames(login)).containsExactlyInAnyOrder("paid", "recent", "two");
    }

    @Test
    void aLoadWithoutPreserveEmptiesTheWorkspaceFirst() {
        Login login = workspaces.create(111, new WorkspaceBackend.Options(false));
        execute(login, "CREATE TABLE scratch (a VARCHAR)");
        execute(login, "CREATE VIEW scratch_view AS SELECT a FROM scratch");
        workspaces.load(111, false, List.of(all("copy")), noProgress());
        assertThat(tableNames(login)).containsExactly("copy");
        assertThat(query(login, "SELECT count(*) FROM copy")).containsExactly(List.of("4"));
    }

    @Test
    void aLoadWithPreserveKeepsTablesAndReplacesOnlyWhatItMayOverwrite() {
        Login login = workspaces.create(112, new WorkspaceBackend.Options(false));
        execute(login, "CREATE TABLE mine (a VARCHAR)");
        execute(login, "INSERT INTO mine VALUES ('kept')");
        workspaces.load(112, true, List.of(all("copy")), noProgress());
        assertThat(tableNames(login)).containsExactlyInAnyOrder("mine", "copy");

        // an existing destination: refused before anything changes, unless the table may overwrite it
        LoadTable intoMine = new LoadTable(orders, "mine", List.of(), RowSelection.ALL, null, false, false);
        assertCode(() -> workspaces.load(112, true, List.of(all("other"), intoMine), noProgress()),
                ErrorCode.WORKSPACE_TABLE_EXISTS);
        assertThat(tableNames(login)).containsExactlyInAnyOrder("mine", "copy");
        assertThat(query(login, "SELECT a FROM mine")).containsExactly(List.of("kept"));

        LoadTable overwrite = new LoadTable(orders, "mine", List.of(), RowSelection.ALL, null, true, false);
        workspaces.load(112, true, List.of(overwrite), noProgress());
        assertThat(query(login, "SELECT count(*) FROM mine")).containsExactly(List.of("4"));
    }

    @Test
    void aFailedLoadLeavesTheWorkspaceAsItWas() {
        Login login = workspaces.create(113, new WorkspaceBackend.Options(false));
        workspaces.load(113, true, List.of(all("before")), noProgress());
        LoadTable missing = new LoadTable(new TableRef("in.c-main", "missing"), "broken", List.of(), RowSelection.ALL,
                null, false, false);
        assertThatThrownBy(() -> workspaces.load(113, false, List.of(all("first"), missing), noProgress()))
                .isInstanceOf(GranaryException.class);
        assertThat(tableNames(login)).containsExactly("before");
    }

    // ---- reading what a component wrote

    @Test
    void columnsAndExportReadWhatTheComponentWrote() throws IOException {
        Login login = workspaces.create(120, new WorkspaceBackend.Options(false));
        execute(login, "CREATE TABLE result (id INTEGER, label VARCHAR, note VARCHAR)");
        execute(login, "INSERT INTO result VALUES (1, 'say \"hi\", ok', NULL), (2, 'two\nlines', '')");
        assertThat(workspaces.columns(120, "result")).containsExactly("id", "label", "note");
        WorkspaceBackend.Unload out = workspaces.export(120, "result", List.of("label", "id"), dir.resolve("export"));
        assertThat(out.rows()).isEqualTo(2);
        assertThat(out.columns()).containsExactly("label", "id");
        StringBuilder all = new StringBuilder();
        for (Path slice : out.slices()) {
            all.append(Files.readString(slice));
        }
        assertThat(all.toString().lines().toList()).isNotEmpty();
        assertThat(all.toString()).isIn("\"say \"\"hi\"\", ok\",\"1\"\n\"two\nlines\",\"2\"\n",
                "\"two\nlines\",\"2\"\n\"say \"\"hi\"\", ok\",\"1\"\n");
        WorkspaceBackend.Unload nulls = workspaces.export(120, "result", List.of("note"), dir.resolve("nulls"));
        StringBuilder n = new StringBuilder();
        for (Path slice : nulls.slices()) {
            n.append(Files.readString(slice));
        }
        assertThat(n.toString()).isEqualTo("\"\"\n\"\"\n");
    }

    @Test
    void aMissingWorkspaceTableIsNamedWithItsSchema() {
        workspaces.create(121, new WorkspaceBackend.Options(false));
        assertThatThrownBy(() -> workspaces.columns(121, "nope"))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.WORKSPACE_TABLE_NOT_FOUND))
                .hasMessage("Table \"nope\" not found in schema \"WORKSPACE_121\"");
        assertThatThrownBy(() -> workspaces.export(121, "nope", List.of("a"), dir.resolve("x")))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.WORKSPACE_TABLE_NOT_FOUND));
    }

    @Test
    void oneWorkspaceCannotReadAnother() {
        if (!hasLogins()) {
            return;
        }
        Login a = workspaces.create(130, new WorkspaceBackend.Options(false));
        Login b = workspaces.create(131, new WorkspaceBackend.Options(false));
        workspaces.load(131, false, List.of(all("secret")), noProgress());
        assertThatThrownBy(() -> query(a, "SELECT * FROM " + otherWorkspaceTable(b, "secret"))).isNotNull();
        assertThatThrownBy(() -> execute(a, "CREATE TABLE " + otherWorkspaceTable(b, "planted") + " (x VARCHAR)"))
                .isNotNull();
        assertThat(tableNames(b)).containsExactly("secret");
    }

    // ---- helpers

    /** Names of the tables and views the login sees in its own workspace. */
    protected List<String> tableNames(Login login) {
        List<String> out = new ArrayList<>();
        for (List<String> row : query(login, "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + login.connection().get("schema") + "'")) {
            out.add(row.get(0));
        }
        return out;
    }

    protected LoadTable all(String destination) {
        return new LoadTable(orders, destination, List.of(), RowSelection.ALL, null, false, false);
    }

    protected Path file(String content) {
        try {
            Path p = dir.resolve("in-" + (fileNo++) + ".csv");
            Files.createDirectories(p.getParent());
            Files.writeString(p, content, StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static JobProgress noProgress() {
        return (bytes, rows) -> { };
    }

    protected static void assertCode(ThrowingCallable call, ErrorCode... codes) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GranaryException.class,
                e -> assertThat(e.errorCode()).isIn((Object[]) codes));
    }
}
