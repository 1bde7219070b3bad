package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workspace API as a client uses it: create a workspace, load Storage tables into it, run SQL there with the
 * returned connection (pgjdbc on PostgreSQL, DuckDB JDBC on the embedded file), and make Storage tables of the
 * results with {@code dataWorkspaceId} + {@code dataObject}. Every refused request is checked for its error text and
 * for having changed nothing.
 */
class WorkspaceApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final String BUCKET = "in.c-ws";
    private static final String ORDERS = BUCKET + ".orders";
    private static final String ORDERS_CSV = "id,name,amount\n1,apple,10\n2,pear,20\n3,plum,30\n4,fig,40\n";

    private static Api writer;
    private static Api reader;

    @TempDir
    Path tmp;

    private Tables tables;

    @BeforeAll
    static void setUp(@TempDir Path dir) {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "ws", "stage", "in"));
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "results", "stage", "out"));
        Tables t = new Tables(granary, dir);
        JsonNode created = t.create(BUCKET, "orders", t.upload("orders.csv", ORDERS_CSV), Map.of("primaryKey", "id"));
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        writer = token("writer", Map.of(BUCKET, "write", "out.c-results", "write"));
        reader = token("reader", Map.of(BUCKET, "read", "out.c-results", "read"));
    }

    @BeforeEach
    void tables() {
        tables = new Tables(granary, tmp);
    }

    private static Api token(String description, Map<String, String> permissions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("description", description);
        body.put("bucketPermissions", permissions);
        Api.Response r = granary.master().postJson("/v2/storage/tokens", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return granary.api(r.json().get("token").asText());
    }

    // ---- helpers

    /** A new workspace of {@code api}'s token: its JSON, with the password in connection.password. */
    private static JsonNode create(Api api, Map<String, Object> body) {
        Api.Response r = api.postJson("/v2/storage/workspaces", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static JsonNode create(Api api) {
        return create(api, Map.of());
    }

    private JsonNode load(Api api, JsonNode ws, String path, Map<String, Object> body) {
        return tables.job(api.postJson("/v2/storage/workspaces/" + ws.get("id").asText() + "/" + path, body));
    }

    private static Map<String, Object> item(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Connection connect(JsonNode connection, String password) throws SQLException {
        if (connection.get("backend").asText().equals("duckdb")) {
            return DriverManager.getConnection("jdbc:duckdb:" + connection.get("database").asText());
        }
        Properties p = new Properties();
        p.setProperty("user", connection.get("user").asText());
        p.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://" + connection.get("host").asText() + ":"
                + connection.get("port").asText() + "/" + connection.get("database").asText(), p);
    }

    /** Runs SQL in the workspace with its own connection, as a component would (the connection closes after). */
    private static List<List<String>> sql(JsonNode ws, String password, String sql) {
        try (Connection c = connect(ws.get("connection"), password); Statement s = c.createStatement()) {
            List<List<String>> rows = new ArrayList<>();
            if (s.execute(sql)) {
                try (ResultSet rs = s.getResultSet()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= n; i++) {
                            row.add(rs.getString(i));
                        }
                        rows.add(row);
                    }
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static List<List<String>> sql(JsonNode ws, String sql) {
        return sql(ws, ws.get("connection").get("password").asText(), sql);
    }

    /** The table's rows as exported, in id order (an export has no order of its own). */
    private String sorted(String tableId) throws IOException {
        return String.join("", tables.export(tableId, Map.of()).lines().sorted().map(l -> l + "\n").toList());
    }

    private static int jobCount() {
        return granary.master().get("/v2/storage/jobs?limit=1000").json().size();
    }

    private static int workspaceCount() {
        return granary.master().get("/v2/storage/workspaces").json().size();
    }

    private static void assertError(Api.Response r, int status, String code, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("code").asText()).as(r.body()).isEqualTo(code);
        assertThat(r.json().get("error").asText()).as(r.body()).isEqualTo(message);
    }

    private static void assertJobError(JsonNode job, String message) {
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("error");
        assertThat(job.get("error").get("message").asText()).as(job.toString()).isEqualTo(message);
    }

    // ---- the round trip

    @Test
    void aWorkspaceIsLoadedQueriedWithItsOwnLoginAndUnloadedIntoStorage() throws IOException {
        JsonNode ws = create(writer);
        JsonNode connection = ws.get("connection");
        String backend = EmbeddedGranary.onPostgres() ? "postgresql" : "duckdb";
        assertThat(connection.get("backend").asText()).isEqualTo(backend);
        for (String field : List.of("host", "port", "database", "schema", "warehouse", "user", "password")) {
            assertThat(connection.get(field).isTextual()).as(field + " in " + connection).isTrue();
        }
        assertThat(ws.get("name").asText()).isEqualTo("WORKSPACE_" + ws.get("id").asText());
        assertThat(ws.get("creatorToken").get("description").asText()).isEqualTo("writer");
        if (EmbeddedGranary.onPostgres()) {
            assertThat(connection.get("schema").asText()).isEqualTo(ws.get("name").asText());
            assertThat(connection.get("password").asText()).hasSizeGreaterThanOrEqualTo(32);
        } else {
            assertThat(Path.of(connection.get("database").asText())).isAbsolute().exists();
        }
        // the password is shown by create only
        JsonNode detail = writer.get("/v2/storage/workspaces/" + ws.get("id").asText()).json();
        assertThat(detail.get("connection").has("password")).isFalse();
        assertThat(detail.get("connection").get("user").asText()).isEqualTo(connection.get("user").asText());

        JsonNode job = load(writer, ws, "load", Map.of("input", List.of(item("source", ORDERS, "destination", "orders",
                "columns", List.of("id", "name"), "whereColumn", "id", "whereValues", List.of("1", "2", "3")))));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        assertThat(job.get("operationName").asText()).isEqualTo("workspaceLoad");
        assertThat(job.get("results").get("input").get(0).get("rowsCount").asLong()).isEqualTo(3);
        assertThat(sql(ws, "SELECT id, name FROM orders ORDER BY id")).containsExactly(List.of("1", "apple"),
                List.of("2", "pear"), List.of("3", "plum"));

        sql(ws, "CREATE TABLE result AS SELECT id, upper(name) AS name FROM orders WHERE id <> '2'");
        JsonNode created = tables.job(writer.postJson("/v2/storage/buckets/out.c-results/tables-async", Map.of(
                "name", "result", "dataWorkspaceId", ws.get("id").asLong(), "dataObject", "result", "primaryKey", "id")));
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        assertThat(sorted("out.c-results.result")).isEqualTo("\"1\",\"APPLE\"\n\"3\",\"PLUM\"\n");

        // a new table takes only the columns it is given, in their order
        sql(ws, "CREATE TABLE wide AS SELECT id, name, 'x' AS extra FROM orders WHERE id = '1'");
        JsonNode picked = tables.job(writer.postJson("/v2/storage/buckets/out.c-results/tables-async", Map.of(
                "name", "picked", "dataWorkspaceId", ws.get("id").asLong(), "dataObject", "wide",
                "columns", List.of("name", "id"))));
        assertThat(picked.get("status").asText()).as(picked.toString()).isEqualTo("success");
        assertThat(granary.master().get("/v2/storage/tables/out.c-results.picked").json().get("columns"))
                .extracting(JsonNode::asText).containsExactly("name", "id");
        assertThat(sorted("out.c-results.picked")).isEqualTo("\"apple\",\"1\"\n");

        // an incremental unload merges by the primary key
        sql(ws, "CREATE TABLE more AS SELECT '3' AS id, 'damson' AS name UNION ALL SELECT '5', 'kiwi'");
        JsonNode merged = tables.job(writer.postJson("/v2/storage/tables/out.c-results.result/import-async", Map.of(
                "dataWorkspaceId", ws.get("id").asLong(), "dataObject", "more", "incremental", true)));
        assertThat(merged.get("status").asText()).as(merged.toString()).isEqualTo("success");
        assertThat(sorted("out.c-results.result"))
                .isEqualTo("\"1\",\"APPLE\"\n\"3\",\"damson\"\n\"5\",\"kiwi\"\n");

        // a missing workspace table: the reference's error, and the table as it was
        JsonNode missing = tables.job(writer.postJson("/v2/storage/tables/out.c-results.result/import-async", Map.of(
                "dataWorkspaceId", ws.get("id").asLong(), "dataObject", "nothere")));
        assertJobError(missing, "Table \"nothere\" not found in schema \"" + ws.get("name").asText() + "\"");
        // a workspace table that lacks a column of the Storage table fails the full load, which changes nothing
        sql(ws, "CREATE TABLE narrow AS SELECT '9' AS id");
        JsonNode narrow = tables.job(writer.postJson("/v2/storage/tables/out.c-results.result/import-async", Map.of(
                "dataWorkspaceId", ws.get("id").asLong(), "dataObject", "narrow")));
        assertThat(narrow.get("status").asText()).as(narrow.toString()).isEqualTo("error");
        assertThat(narrow.get("error").get("message").asText()).contains("Missing columns: name");
        assertThat(sorted("out.c-results.result"))
                .isEqualTo("\"1\",\"APPLE\"\n\"3\",\"damson\"\n\"5\",\"kiwi\"\n");
        JsonNode table = granary.master().get("/v2/storage/tables/out.c-results.result").json();
        assertThat(table.get("columns")).extracting(JsonNode::asText).containsExactly("id", "name");
        assertThat(table.get("rowsCount").asLong()).isEqualTo(3);
    }

    @Test
    void preserveKeepsWhatIsThereAndOverwriteReplacesOneTable() {
        JsonNode ws = create(granary.master());
        assertThat(load(granary.master(), ws, "load", Map.of("input", List.of(item("source", ORDERS, "destination", "a"))))
                .get("status").asText()).isEqualTo("success");
        sql(ws, "CREATE TABLE mine AS SELECT 1 AS n");
        JsonNode kept = load(granary.master(), ws, "load", Map.of("preserve", true, "input",
                List.of(item("source", ORDERS, "destination", "b", "rows", 2))));
        assertThat(kept.get("status").asText()).as(kept.toString()).isEqualTo("success");
        assertThat(sql(ws, "SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b), (SELECT count(*) FROM mine)"))
                .containsExactly(List.of("4", "2", "1"));

        JsonNode clash = load(granary.master(), ws, "load", Map.of("preserve", true, "input",
                List.of(item("source", ORDERS, "destination", "b"))));
        assertJobError(clash, "Table \"b\" already exists in schema \"" + ws.get("name").asText()
                + "\"; load it with overwrite to replace it.");
        assertThat(sql(ws, "SELECT count(*) FROM b")).containsExactly(List.of("2"));
        JsonNode overwritten = load(granary.master(), ws, "load", Map.of("preserve", true, "input",
                List.of(item("source", ORDERS, "destination", "b", "overwrite", true))));
        assertThat(overwritten.get("status").asText()).as(overwritten.toString()).isEqualTo("success");
        assertThat(sql(ws, "SELECT count(*) FROM b")).containsExactly(List.of("4"));

        // without preserve the workspace is emptied first, what the component made included
        load(granary.master(), ws, "load", Map.of("input", List.of(item("source", ORDERS, "destination", "c"))));
        assertThatThrownBy(() -> sql(ws, "SELECT count(*) FROM mine")).hasMessageContaining("mine");
        assertThat(sql(ws, "SELECT count(*) FROM c")).containsExactly(List.of("4"));
    }

    @Test
    void inputMappingLoadTakesTheItemsOfAConfigJson() {
        JsonNode ws = create(granary.master());
        JsonNode job = load(granary.master(), ws, "input-mapping-load", Map.of("input", List.of(item("source", ORDERS,
                "destination", "picked", "columns", List.of("id", "amount"), "where_column", "name",
                "where_values", List.of("pear", "fig"), "where_operator", "eq", "limit", 1,
                "keep_internal_timestamp_column", false))));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        assertThat(sql(ws, "SELECT * FROM picked")).hasSize(1).allSatisfy(row -> assertThat(row).hasSize(2));
        // the camelCase load keeps the change time by default, as Keboola's does
        load(granary.master(), ws, "load", Map.of("input", List.of(item("source", ORDERS, "destination", "stamped"))));
        assertThat(sql(ws, "SELECT count(_timestamp) FROM stamped")).containsExactly(List.of("4"));
    }

    // ---- lifecycle

    @Test
    void asyncCreatePasswordResetAndDeleteEndTheLogin() {
        Api.Response accepted = writer.postJson("/v2/storage/workspaces?async=1", Map.of());
        JsonNode job = tables.job(accepted);
        assertThat(job.get("operationName").asText()).isEqualTo("workspaceCreate");
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        JsonNode ws = job.get("results");
        assertThat(ws.get("connection").has("password")).as("a job's results are stored: no password").isFalse();
        String id = ws.get("id").asText();

        Api.Response reset = writer.postJson("/v2/storage/workspaces/" + id + "/password", Map.of());
        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        String password = reset.json().get("password").asText();
        assertThat(sql(ws, password, "SELECT 1")).containsExactly(List.of("1"));
        if (EmbeddedGranary.onPostgres()) {
            assertThat(password).hasSizeGreaterThanOrEqualTo(32);
            String newer = writer.postJson("/v2/storage/workspaces/" + id + "/password", Map.of()).json()
                    .get("password").asText();
            assertThatThrownBy(() -> sql(ws, password, "SELECT 1")).hasMessageContaining("password authentication failed");
            assertThat(sql(ws, newer, "SELECT 1")).containsExactly(List.of("1"));
        }

        Api.Response deleted = writer.delete("/v2/storage/workspaces/" + id);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        assertError(writer.get("/v2/storage/workspaces/" + id), 404, "storage.workspaces.notFound",
                "Workspace " + id + " not found");
        if (EmbeddedGranary.onPostgres()) {
            assertThatThrownBy(() -> sql(ws, password, "SELECT 1")).hasMessageContaining("password authentication failed");
        } else {
            assertThat(Path.of(ws.get("connection").get("database").asText())).doesNotExist();
        }
        // and an async delete is a job
        JsonNode other = create(writer);
        JsonNode gone = tables.job(writer.delete("/v2/storage/workspaces/" + other.get("id").asText() + "?async=1"));
        assertThat(gone.get("operationName").asText()).isEqualTo("workspaceDelete");
        assertThat(gone.get("status").asText()).as(gone.toString()).isEqualTo("success");
    }

    @Test
    void aConfigurationsWorkspacesCarryItsLabels() {
        Api.Response r = writer.postJson("/v2/storage/components/keboola.python-transformation-v2/configs/123/workspaces",
                Map.of());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("component").asText()).isEqualTo("keboola.python-transformation-v2");
        assertThat(r.json().get("configurationId").asText()).isEqualTo("123");
        create(writer);
        JsonNode listed = writer.get("/v2/storage/components/keboola.python-transformation-v2/configs/123/workspaces")
                .json();
        assertThat(listed).extracting(w -> w.get("id").asText()).containsExactly(r.json().get("id").asText());
        assertThat(writer.get("/v2/storage/components/keboola.python-transformation-v2/configs/999/workspaces").json())
                .isEmpty();
    }

    // ---- tokens

    @Test
    void aWorkspaceBelongsToItsCreatorAndTheMasterToken() {
        JsonNode mine = create(writer);
        JsonNode masters = create(granary.master());
        String mineId = mine.get("id").asText();
        String theirs = masters.get("id").asText();
        assertThat(writer.get("/v2/storage/workspaces").json()).extracting(w -> w.get("id").asText())
                .contains(mineId).doesNotContain(theirs);
        assertThat(granary.master().get("/v2/storage/workspaces").json()).extracting(w -> w.get("id").asText())
                .contains(mineId, theirs);
        assertThat(granary.master().get("/v2/storage/workspaces/" + mineId).status()).isEqualTo(200);

        int jobs = jobCount();
        String notFound = "Workspace " + theirs + " not found";
        assertError(writer.get("/v2/storage/workspaces/" + theirs), 404, "storage.workspaces.notFound", notFound);
        assertError(writer.delete("/v2/storage/workspaces/" + theirs), 404, "storage.workspaces.notFound", notFound);
        assertError(writer.postJson("/v2/storage/workspaces/" + theirs + "/password", Map.of()), 404,
                "storage.workspaces.notFound", notFound);
        assertError(writer.postJson("/v2/storage/workspaces/" + theirs + "/load",
                Map.of("input", List.of(item("source", ORDERS, "destination", "x")))), 404,
                "storage.workspaces.notFound", notFound);
        assertError(writer.postJson("/v2/storage/tables/" + ORDERS + "/import-async",
                Map.of("dataWorkspaceId", theirs, "dataObject", "x")), 404, "storage.workspaces.notFound", notFound);
        // the master's workspace still works with its own password
        assertThat(sql(masters, "SELECT 1")).containsExactly(List.of("1"));
        assertThat(jobCount()).isEqualTo(jobs);

        // a read-only token loads what it may read, but may not unload into Storage
        JsonNode readers = create(reader);
        assertThat(load(reader, readers, "load", Map.of("input", List.of(item("source", ORDERS, "destination", "o"))))
                .get("status").asText()).isEqualTo("success");
        jobs = jobCount();
        Api.Response refused = reader.postJson("/v2/storage/buckets/out.c-results/tables-async", Map.of("name", "r",
                "dataWorkspaceId", readers.get("id").asLong(), "dataObject", "o"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.json().get("code").asText()).isEqualTo("accessDenied");
        assertThat(jobCount()).isEqualTo(jobs);
        assertThat(granary.master().get("/v2/storage/tables/out.c-results.r").status()).isEqualTo(404);
    }

    @Test
    void onPostgresTheLoginSeesItsSchemaOnlyUnlessItMayReadStorage() {
        assumeTrue(EmbeddedGranary.onPostgres(), "logins are a PostgreSQL workspace's");
        JsonNode plain = create(writer);
        assertThatThrownBy(() -> sql(plain, "SELECT * FROM \"in.c-ws\".\"orders\""))
                .hasMessageContaining("permission denied for schema in.c-ws");
        JsonNode other = create(writer);
        sql(other, "CREATE TABLE secret AS SELECT 1 AS n");
        assertThatThrownBy(() -> sql(plain, "SELECT * FROM \"" + other.get("name").asText() + "\".secret"))
                .hasMessageContaining("permission denied for schema " + other.get("name").asText());

        JsonNode reading = create(granary.master(), Map.of("readOnlyStorageAccess", true));
        assertThat(reading.get("readOnlyStorageAccess").asBoolean()).isTrue();
        assertThat(sql(reading, "SELECT count(*) FROM \"in.c-ws\".\"orders\"")).containsExactly(List.of("4"));
        assertThatThrownBy(() -> sql(reading, "DELETE FROM \"in.c-ws\".\"orders\""))
                .hasMessageContaining("permission denied");
    }

    // ---- refusals

    @Test
    void badRequestsAreRefusedWithTheirReasonAndChangeNothing() throws IOException {
        JsonNode ws = create(writer);
        String id = ws.get("id").asText();
        String base = "/v2/storage/workspaces/" + id;
        int jobs = jobCount();
        int workspaces = workspaceCount();
        String backend = EmbeddedGranary.onPostgres() ? "postgresql" : "duckdb";

        Map<String, Object> noOrders = item("source", "in.c-ws.nope", "destination", "x");
        Map<String, Api.Response> calls = new LinkedHashMap<>();
        calls.put("Backend \"snowflake\" is not supported: this project's workspaces are on \"" + backend + "\".",
                writer.postJson("/v2/storage/workspaces", Map.of("backend", "snowflake")));
        calls.put("Login type \"snowflake-person-keypair\" is not supported: " + backend
                + " workspaces have password logins (\"default\").",
                writer.postJson("/v2/storage/workspaces", Map.of("loginType", "snowflake-person-keypair")));
        calls.put("Invalid request: readOnlyStorageAccess: \"maybe\" is not boolean. Possible values are true, false, 1, 0.",
                writer.postJson("/v2/storage/workspaces", Map.of("readOnlyStorageAccess", "maybe")));
        calls.put("Invalid request: input: This value should not be blank.", writer.postJson(base + "/load", Map.of()));
        calls.put("Invalid request: input: This collection should contain 1 element or more.",
                writer.postJson(base + "/load", Map.of("input", List.of())));
        calls.put("Days option is not supported on workspace, use changed_since instead.",
                writer.postJson(base + "/input-mapping-load", Map.of("input", List.of(item("source", ORDERS, "days", 3)))));
        calls.put("Invalid request: input[0].loadType: load type \"VIEW\" is not supported on " + backend
                + " workspaces: Granary copies the rows (COPY).",
                writer.postJson(base + "/load", Map.of("input", List.of(item("source", ORDERS, "useView", true)))));
        // config.json's spelling asks for a view too: refused the same way, never copied silently
        for (Map<String, Object> view : List.of(item("source", ORDERS, "use_view", true),
                item("source", ORDERS, "load_type", "VIEW"))) {
            Api.Response r = writer.postJson(base + "/input-mapping-load", Map.of("input", List.of(view)));
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.json().get("error").asText()).isEqualTo("Invalid request: input[0].loadType: load type \"VIEW\""
                    + " is not supported on " + backend + " workspaces: Granary copies the rows (COPY).");
        }
        calls.put("Invalid request: input[0].source: This value should not be blank.",
                writer.postJson(base + "/load", Map.of("input", List.of(item("destination", "x")))));
        calls.put("Invalid request: input[0].destination: \"a b\" is not a valid name in a workspace: use at most 63"
                + " letters, digits, '_', '-' and '.', not starting with '-' or '.'.",
                writer.postJson(base + "/load", Map.of("input", List.of(item("source", ORDERS, "destination", "a b")))));
        calls.put("Invalid request: input[1].destination: the destination \"O\" is loaded twice in this request.",
                writer.postJson(base + "/load", Map.of("input", List.of(item("source", ORDERS, "destination", "o"),
                        item("source", ORDERS, "destination", "O")))));
        calls.put("Invalid request: input[0].columns: columns nope not found in table " + ORDERS + ".",
                writer.postJson(base + "/load", Map.of("input", List.of(item("source", ORDERS, "columns",
                        List.of("id", "nope"))))));
        calls.put("The table \"nope\" was not found in the bucket \"in.c-ws\" in the project \"1\"",
                writer.postJson(base + "/load", Map.of("input", List.of(noOrders))));
        calls.put("Invalid request:\n - dataObject: \"This value should not be blank.\"",
                writer.postJson("/v2/storage/buckets/out.c-results/tables-async", Map.of("name", "t",
                        "dataWorkspaceId", ws.get("id").asLong())));
        calls.put("Invalid request:\n - columns: \"A new table takes the columns of its file's header; columns are for a"
                + " table made from a workspace (dataWorkspaceId).\"",
                writer.postJson("/v2/storage/buckets/out.c-results/tables-async", Map.of("name", "t",
                        "dataFileId", 1, "columns", List.of("id"))));
        calls.put("Invalid request:\n - dataFileId: \"Give either dataFileId or dataWorkspaceId, not both.\"",
                writer.postJson("/v2/storage/tables/" + ORDERS + "/import-async", Map.of("dataFileId", 1,
                        "dataWorkspaceId", ws.get("id").asLong(), "dataObject", "x")));
        calls.put("Workspace 999999 not found", writer.postJson("/v2/storage/tables/" + ORDERS + "/import-async",
                Map.of("dataWorkspaceId", 999999, "dataObject", "x")));
        calls.put("Workspace 999998 not found", writer.postJson("/v2/storage/workspaces/999998/load",
                Map.of("input", List.of(item("source", ORDERS)))));
        calls.put("Workspace abc not found", writer.get("/v2/storage/workspaces/abc"));
        calls.put("readOnlyStorageAccess lets the workspace read every table in Storage: it needs a token that can read"
                + " every bucket (the master token or one with canManageBuckets).",
                writer.postJson("/v2/storage/workspaces", Map.of("readOnlyStorageAccess", true)));
        calls.forEach((message, r) -> {
            assertThat(r.status()).as(message + " -> " + r).isBetween(400, 404);
            assertThat(r.json().get("error").asText()).as(r.body()).isEqualTo(message);
        });
        assertThat(calls.get("Workspace abc not found").status()).isEqualTo(404);
        Api.Response noToken = granary.api(null).get("/v2/storage/workspaces");
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(jobCount()).isEqualTo(jobs);
        assertThat(workspaceCount()).isEqualTo(workspaces);
        assertThat(granary.master().get("/v2/storage/tables/out.c-results.t").status()).isEqualTo(404);
        assertThat(tables.export(ORDERS, Map.of()).lines().count()).isEqualTo(4);
    }

    @Test
    void theDuckDbWorkspaceIsAFileOfItsOwnUnderTheDataDir() throws IOException {
        assumeTrue(!EmbeddedGranary.onPostgres(), "an embedded workspace's");
        JsonNode ws = create(writer);
        Path file = Path.of(ws.get("connection").get("database").asText());
        assertThat(file.toRealPath().startsWith(granary.dataDir().toRealPath())).isTrue();
        try (var names = Files.list(file.getParent())) {
            assertThat(names.map(p -> p.getFileName().toString())).contains(file.getFileName().toString());
        }
        assertThat(ws.get("connection").get("schema").asText()).isEqualTo("main");
        assertThat(ws.get("connection").get("password").asText()).isEmpty();
        assertThat(ws.get("connection").get("storageDatabase").asText()).isEmpty();
    }

    @Test
    void onDuckDbReadOnlyStorageAccessIsAReadOnlyCopyOfStoragesTables() {
        assumeTrue(!EmbeddedGranary.onPostgres(), "an embedded workspace's");
        JsonNode reading = create(granary.master(), Map.of("readOnlyStorageAccess", true));
        assertThat(reading.get("readOnlyStorageAccess").asBoolean()).isTrue();
        String copy = reading.get("connection").get("storageDatabase").asText();
        assertThat(Path.of(copy)).isAbsolute().exists();
        String attach = "ATTACH '" + copy + "' AS storage (READ_ONLY); ";
        assertThat(sql(reading, attach + "SELECT count(*) FROM storage.\"in.c-ws\".\"orders\""))
                .containsExactly(List.of("4"));
        assertThatThrownBy(() -> sql(reading, attach + "DELETE FROM storage.\"in.c-ws\".\"orders\""))
                .hasMessageContaining("read-only");
        // the detail names the copy too; delete removes it
        assertThat(granary.master().get("/v2/storage/workspaces/" + reading.get("id").asText()).json().get("connection")
                .get("storageDatabase").asText()).isEqualTo(copy);
        assertThat(granary.master().delete("/v2/storage/workspaces/" + reading.get("id").asText()).status())
                .isEqualTo(204);
        assertThat(Path.of(copy)).doesNotExist();
    }
}
