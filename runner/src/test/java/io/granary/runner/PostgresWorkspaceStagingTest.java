package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.StorageClient;
import io.granary.server.support.EmbeddedGranary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workspace staging on the PostgreSQL backend with a real component: a Python program that runs its SQL with
 * {@code psql}, logged in with nothing but config.json's {@code authorization.workspace}.
 */
class PostgresWorkspaceStagingTest {

    @RegisterExtension
    static EmbeddedGranary granary = EmbeddedGranary.withPostgres();
    static StorageClient client;

    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        Components.require("apt-get install -y postgresql-client", "psql", "--version");
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    RunResult run(String config, Path data) throws Exception {
        return run(config, data, WorkspaceStagingTest.WORKSPACE);
    }

    RunResult run(String config, Path data, StagingModes modes) throws Exception {
        Path cfg = Files.writeString(Files.createTempFile(tmp, "config", ".json"), config);
        Path psql = Path.of(getClass().getResource("/components/psql_component.py").toURI());
        return new Runner(client, (level, message) -> log.add(level + " " + message)).run(new RunRequest(cfg, "c.psql",
                null, data, List.of("python3", psql.toString()), Duration.ofSeconds(60), null, false, false, "in",
                modes));
    }

    @Test
    void psqlMakesAResultTableThatBecomesAStorageTable() throws Exception {
        Components.table(client, "pg-src", "people", "id,name,note\n1,ann,\"with, comma\"\n2,bob,\"two\nlines\"\n"
                + "3,cyd,x\n", List.of("id"));
        int workspaces = client.workspaces().list().size();
        String config = """
                {"storage": {"input": {"tables": [{"source": "in.c-pg-src.people", "destination": "people",
                                                   "where_column": "id", "where_values": ["1", "2"]}]},
                             "output": {"tables": [{"source": "result", "destination": "out.c-pg.result",
                                                    "primary_key": ["id"]}]}},
                 "parameters": {"sql": ["CREATE TABLE result AS SELECT id, upper(name) AS name, note FROM people"]}}
                """;
        Path data = tmp.resolve("ok");
        RunResult r = run(config, data);
        assertThat(r.exitCode()).as(r.message() + "\n" + log).isZero();
        assertThat(Components.content(client, "out.c-pg.result")).containsExactly("id|name|note", "1|ANN|with, comma",
                "2|BOB|two\nlines");
        assertThat(Json.strings(client.getTable("out.c-pg.result").get("primaryKey"))).containsExactly("id");
        JsonNode auth = Json.read(data.resolve("config.json")).path("authorization").path("workspace");
        assertThat(auth.path("backend").asText()).isEqualTo("postgresql");
        assertThat(auth.path("schema").asText()).startsWith("WORKSPACE_");
        // the password is the run's secret: in config.json for the component, in no log line
        String password = auth.path("password").asText();
        assertThat(password).isNotEmpty();
        assertThat(log).noneMatch(l -> l.contains(password));
        assertThat(client.workspaces().list().size()).isEqualTo(workspaces);
    }

    /**
     * Storage never shows a workspace's password again, so a run on a given workspace resets it: the component logs in
     * with the new one, the old one stops working, and the workspace is kept.
     */
    @Test
    void aReusedWorkspaceGetsAFreshPasswordTheComponentCanLogInWith() throws Exception {
        Components.table(client, "pg-reuse", "people", "id,name\n1,ann\n", List.of("id"));
        JsonNode ws = client.workspaces().create(false);
        long id = ws.path("id").asLong();
        String old = ws.path("connection").path("password").asText();
        try {
            String config = """
                    {"storage": {"input": {"tables": [{"source": "in.c-pg-reuse.people", "destination": "people"}]},
                                 "output": {"tables": [{"source": "result", "destination": "out.c-pg-reuse.result"}]}},
                     "parameters": {"sql": ["CREATE TABLE result AS SELECT id, upper(name) AS name FROM people"]}}
                    """;
            Path data = tmp.resolve("reuse");
            RunResult r = run(config, data, new StagingModes("workspace", "workspace", Long.toString(id)));
            assertThat(r.exitCode()).as(r.message() + "\n" + log).isZero();
            assertThat(Components.content(client, "out.c-pg-reuse.result")).containsExactly("id|name", "1|ANN");
            String given = Json.read(data.resolve("config.json")).path("authorization").path("workspace")
                    .path("password").asText();
            assertThat(given).isNotEmpty().isNotEqualTo(old);
            assertThat(log).contains("INFO Using workspace " + id + " (kept after the run; its password was reset for"
                    + " the component).").noneMatch(l -> l.contains(given));
            assertThat(client.workspaces().get(id).path("id").asLong()).isEqualTo(id);
        } finally {
            client.workspaces().delete(id);
        }
    }

    /**
     * Columns must be known (spec 5.5): from the mapping, the manifest, or the workspace table. The reference leaves
     * the decision to Storage's unload, and so does Granary: a table without columns (PostgreSQL allows one) has
     * nothing to unload, and Storage refuses it as it refuses a missing table, before anything changes.
     */
    @Test
    void aWorkspaceTableWithoutColumnsIsRefusedByStorageAndChangesNothing() throws Exception {
        Components.table(client, "pg-keep", "kept", "id,name\n1,ann\n", List.of());
        JsonNode before = client.getTable("in.c-pg-keep.kept");
        String config = """
                {"storage": {"output": {"tables": [{"source": "nocols", "destination": "out.c-pg.nocols"},
                                                   {"source": "nocols", "destination": "in.c-pg-keep.kept"}]}},
                 "parameters": {"sql": ["CREATE TABLE nocols ()"]}}
                """;
        RunResult r = run(config, tmp.resolve("nocols"));
        assertThat(r.exitCode()).as(log.toString()).isEqualTo(1);
        String schema = "WORKSPACE_" + lastWorkspace();
        assertThat(r.message()).isEqualTo("Failed to load table \"out.c-pg.nocols\": Table \"nocols\" not found in schema \""
                + schema + "\"\nFailed to load table \"in.c-pg-keep.kept\": Table \"nocols\" not found in schema \""
                + schema + "\"");
        assertThat(Components.exists(client, "out.c-pg.nocols")).isFalse();
        JsonNode after = client.getTable("in.c-pg-keep.kept");
        for (String field : List.of("columns", "primaryKey", "rowsCount", "lastImportDate")) {
            assertThat(after.get(field)).as(field).isEqualTo(before.get(field));
        }
        assertThat(Components.content(client, "in.c-pg-keep.kept")).containsExactly("id|name", "1|ann");
    }

    private long lastWorkspace() {
        return log.stream().filter(l -> l.startsWith("INFO Created workspace ")).map(l -> Long.parseLong(
                l.substring("INFO Created workspace ".length(), l.indexOf(' ', "INFO Created workspace ".length()))))
                .reduce((a, b) -> b).orElseThrow();
    }
}
