package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import io.granary.runner.components.DuckDbSqlComponent;
import io.granary.server.support.EmbeddedGranary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workspace staging (spec 5, workspaces.md "Runner staging modes") on the embedded DuckDB backend, with a real
 * component: a Java program on DuckDB JDBC that runs SQL in the workspace's own database file.
 */
class WorkspaceStagingTest {

    static final StagingModes WORKSPACE = new StagingModes("workspace", "workspace", null);
    private static final Pattern CREATED = Pattern.compile("Created workspace (\\d+) ");

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();
    static StorageClient client;

    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        Components.requireBoto3();
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** {@code java -cp <this test class path> DuckDbSqlComponent}, as a user runs a component on DuckDB JDBC. */
    static List<String> duckDbComponent() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), DuckDbSqlComponent.class.getName());
    }

    RunResult run(String config, List<String> command, StagingModes modes, Path data, String configId) throws Exception {
        Path cfg = Files.writeString(Files.createTempFile(tmp, "config", ".json"), config);
        return new Runner(client, (level, message) -> log.add(level + " " + message)).run(new RunRequest(cfg, "c.sql",
                configId, data, command, Duration.ofSeconds(60), null, false, false, "in", modes));
    }

    RunResult run(String config, List<String> command, StagingModes modes, Path data) throws Exception {
        return run(config, command, modes, data, null);
    }

    /** The id of the workspace the run created, from its log. */
    long createdWorkspace() {
        for (String line : log) {
            Matcher m = CREATED.matcher(line);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no workspace was created: " + log);
    }

    static boolean workspaceExists(long id) {
        try {
            client.workspaces().get(id);
            return true;
        } catch (StorageApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** S3StagingTest's config (a component that writes result.csv from people.csv) with SQL that does the same. */
    static String config(String source, String destination, String sql) {
        String storage = S3StagingTest.config(source, destination).strip();
        return storage.substring(0, storage.length() - 1) + ", \"parameters\": {\"sql\": " + sql + "}}";
    }

    static final String SHOUT_SQL = "[\"CREATE TABLE \\\"result.csv\\\" AS SELECT id, name, note, upper(name) AS shout"
            + " FROM \\\"people.csv\\\"\"]";

    @Test
    void theSameConfigMakesTheSameTableOnLocalS3AndWorkspaceStaging() throws Exception {
        Components.table(client, "ws-src", "people", "id,name,note,extra\n1,ann,\"with, comma\",x\n"
                + "2,bob,\"two\nlines\",y\n3,cyd,\"a \"\"quote\"\"\",z\n4,dörte,ünïcode,w\n", List.of("id"));
        List<String> shout = List.of("python3", S3StagingTest.shout().toString());
        RunResult local = run(config("in.c-ws-src.people", "out.c-ws.local", SHOUT_SQL), shout, StagingModes.LOCAL,
                tmp.resolve("local"));
        assertThat(local.exitCode()).as(local.message() + "\n" + log).isZero();
        RunResult s3 = run(config("in.c-ws-src.people", "out.c-ws.s3", SHOUT_SQL), shout,
                new StagingModes("s3", "local", null), tmp.resolve("s3"));
        assertThat(s3.exitCode()).as(s3.message() + "\n" + log).isZero();
        int workspacesBefore = client.workspaces().list().size();
        Path data = tmp.resolve("workspace");
        RunResult ws = run(config("in.c-ws-src.people", "out.c-ws.workspace", SHOUT_SQL), duckDbComponent(), WORKSPACE,
                data);
        assertThat(ws.exitCode()).as(ws.message() + "\n" + log).isZero();

        List<String> expected = Components.content(client, "out.c-ws.local");
        assertThat(expected).contains("id|name|note|shout", "2|bob|two\nlines|BOB", "4|dörte|ünïcode|DÖRTE");
        assertThat(Components.content(client, "out.c-ws.s3")).isEqualTo(expected);
        assertThat(Components.content(client, "out.c-ws.workspace")).isEqualTo(expected);
        assertThat(Json.strings(client.getTable("out.c-ws.workspace").get("primaryKey"))).containsExactly("id");

        // what the component got: a manifest without a data file, and the workspace's connection
        assertThat(LocalOutputStaging.listNames(data.resolve("in/tables"), false)).containsExactly("people.csv.manifest");
        JsonNode manifest = Json.read(data.resolve("in/tables/people.csv.manifest"));
        assertThat(manifest.path("id").asText()).isEqualTo("in.c-ws-src.people");
        assertThat(Json.strings(manifest.get("columns"))).containsExactly("id", "name", "note");
        JsonNode auth = Json.read(data.resolve("config.json")).path("authorization").path("workspace");
        assertThat(auth.path("backend").asText()).isEqualTo("duckdb");
        assertThat(Path.of(auth.path("database").asText())).isAbsolute();
        assertThat(S3StagingTest.fieldNames(auth)).contains("host", "port", "database", "schema", "user", "password",
                "warehouse");
        // made for the run, gone after it
        long id = createdWorkspace();
        assertThat(workspaceExists(id)).isFalse();
        assertThat(client.workspaces().list().size()).isEqualTo(workspacesBefore);
        assertThat(log).contains("INFO Deleted workspace " + id + ".");
    }

    @Test
    void aFailedComponentWritesItsWriteAlwaysTablesAndItsWorkspaceIsDeleted() throws Exception {
        String config = """
                {"storage": {"output": {"tables": [
                    {"source": "kept", "destination": "out.c-ws-fail.kept", "write_always": true},
                    {"source": "lost", "destination": "out.c-ws-fail.lost"}]}},
                 "parameters": {"sql": ["CREATE TABLE kept AS SELECT 1 AS n", "CREATE TABLE lost AS SELECT 2 AS n",
                                        "SELECT * FROM nothere"]}}
                """;
        RunResult r = run(config, duckDbComponent(), WORKSPACE, tmp.resolve("fail"));
        assertThat(r.exitCode()).as(log.toString()).isEqualTo(1);
        assertThat(r.message()).contains("nothere");
        assertThat(Components.content(client, "out.c-ws-fail.kept")).containsExactly("n", "1");
        assertThat(Components.exists(client, "out.c-ws-fail.lost")).isFalse();
        assertThat(workspaceExists(createdWorkspace())).isFalse();
    }

    @Test
    void aNewTableFromAWorkspaceTableTakesOnlyTheMappingsColumns() throws Exception {
        String config = """
                {"storage": {"output": {"tables": [
                    {"source": "wide", "destination": "out.c-ws-cols.narrow", "columns": ["name", "id"],
                     "primary_key": ["id"]}]}},
                 "parameters": {"sql": ["CREATE TABLE wide AS SELECT '1' AS id, 'ann' AS name, 'x' AS extra"]}}
                """;
        RunResult r = run(config, duckDbComponent(), WORKSPACE, tmp.resolve("cols"));
        assertThat(r.exitCode()).as(r.message() + "\n" + log).isZero();
        assertThat(Json.strings(client.getTable("out.c-ws-cols.narrow").get("columns"))).containsExactly("name", "id");
        assertThat(Components.content(client, "out.c-ws-cols.narrow")).containsExactly("name|id", "ann|1");
    }

    @Test
    void readOnlyStorageAccessLetsTheComponentReadStoragesTablesButNotWriteThem() throws Exception {
        Components.table(client, "ws-ro", "people", "id,name\n1,ann\n2,bob\n", List.of("id"));
        String config = """
                {"storage": {"input": {"read_only_storage_access": true},
                             "output": {"tables": [{"source": "result", "destination": "out.c-ws-ro.result"}]}},
                 "parameters": {"sql": ["CREATE TABLE result AS SELECT id, upper(name) AS name FROM storage.\\"in.c-ws-ro\\".people"]}}
                """;
        RunResult r = run(config, duckDbComponent(), WORKSPACE, tmp.resolve("ro"));
        assertThat(r.exitCode()).as(r.message() + "\n" + log).isZero();
        assertThat(Components.content(client, "out.c-ws-ro.result")).containsExactly("id|name", "1|ANN", "2|BOB");
        assertThat(workspaceExists(createdWorkspace())).isFalse();

        String writes = """
                {"storage": {"input": {"read_only_storage_access": true}},
                 "parameters": {"sql": ["INSERT INTO storage.\\"in.c-ws-ro\\".people (id, name) VALUES ('3', 'cyd')"]}}
                """;
        RunResult refused = run(writes, duckDbComponent(), WORKSPACE, tmp.resolve("ro-write"));
        assertThat(refused.exitCode()).as(log.toString()).isEqualTo(1);
        assertThat(refused.message()).contains("read-only");
        assertThat(Components.content(client, "in.c-ws-ro.people")).containsExactly("id|name", "1|ann", "2|bob");
    }

    @Test
    void aTimedOutComponentsWorkspaceIsDeleted() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("config.json"), "{}");
        RunResult r = new Runner(client, (level, message) -> log.add(level + " " + message)).run(new RunRequest(cfg,
                "c.sleep", null, tmp.resolve("slow"), List.of("sleep", "30"), Duration.ofSeconds(1), null, false, false,
                "in", WORKSPACE));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.message()).isEqualTo("Running c.sleep container exceeded the timeout of 1 seconds.");
        assertThat(workspaceExists(createdWorkspace())).isFalse();
    }

    @Test
    void aRunStoppedBySigtermDeletesItsWorkspace() throws Exception {
        Path data = tmp.resolve("signalled");
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), SignalledRun.class.getName(),
                granary.url(), EmbeddedGranary.MASTER_TOKEN, data.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("signalled.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(data.resolve("started")) && System.nanoTime() < deadline && run.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(data.resolve("started")).as(Files.readString(tmp.resolve("signalled.log"))).exists();
            log.addAll(Files.readAllLines(tmp.resolve("signalled.log")));
            long id = createdWorkspace();
            assertThat(workspaceExists(id)).isTrue();
            run.destroy(); // SIGTERM, as a service manager or Ctrl-C stops it
            assertThat(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(workspaceExists(id)).as(Files.readString(tmp.resolve("signalled.log"))).isFalse();
        } finally {
            run.destroyForcibly();
        }
    }

    /** {@code SignalledRun} as a process of its own, its output in {@code <name>.log}. */
    private Process signalledRun(String url, Path data, String name, String script) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), SignalledRun.class.getName(),
                url, EmbeddedGranary.MASTER_TOKEN, data.toString(), script)
                .redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
    }

    private static boolean goneWithin(Path pidFile, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (alive(pidFile)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /** Whether the process is running: a killed one that its new parent has not reaped yet (a zombie) is not. */
    private static boolean alive(Path pidFile) throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    /** SIGTERM while the component runs: its whole process tree is killed, then the workspace deleted. */
    @Test
    void sigtermKillsTheComponentsProcessTreeThenDeletesTheWorkspace() throws Exception {
        Path data = tmp.resolve("tree");
        Process run = signalledRun(granary.url(), data, "tree",
                "echo $$ > pid; sleep 300 & echo $! > child; touch started; wait");
        Path out = tmp.resolve("tree.log");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(data.resolve("started")) && System.nanoTime() < deadline && run.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(data.resolve("started")).as(Files.readString(out)).exists();
            assertThat(alive(data.resolve("pid"))).isTrue();
            assertThat(alive(data.resolve("child"))).isTrue();
            log.addAll(Files.readAllLines(out));
            long id = createdWorkspace();
            run.destroy(); // SIGTERM
            assertThat(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String printed = Files.readString(out);
            // gone, or at most a few seconds from being reaped by its new parent
            assertThat(goneWithin(data.resolve("pid"), Duration.ofSeconds(10))).as("the component").isTrue();
            assertThat(goneWithin(data.resolve("child"), Duration.ofSeconds(10))).as("the component's child").isTrue();
            assertThat(workspaceExists(id)).isFalse();
            assertThat(run.exitValue()).as(printed).isNotZero();
            assertThat(printed).contains("ERROR Stopping the run (SIGTERM or Ctrl-C): killing the component.",
                    "ERROR " + RunStop.MESSAGE, "INFO Deleted workspace " + id + ".");
        } finally {
            run.destroyForcibly();
        }
    }

    /**
     * SIGTERM while Storage is making the workspace (its answer held back by a slow network): the workspace that
     * Storage made is deleted once the answer arrives, and the component never starts.
     */
    @Test
    void sigtermWhileTheWorkspaceIsBeingCreatedStillDeletesIt() throws Exception {
        java.util.Set<Long> before = new java.util.HashSet<>();
        client.workspaces().list().forEach(w -> before.add(w.path("id").asLong()));
        Path data = tmp.resolve("creating");
        try (SlowCreateProxy proxy = new SlowCreateProxy(granary.url(), Duration.ofSeconds(4))) {
            Process run = signalledRun(proxy.url(), data, "creating", "touch started; exec sleep 20");
            try {
                assertThat(proxy.created.await(60, java.util.concurrent.TimeUnit.SECONDS))
                        .as(Files.readString(tmp.resolve("creating.log"))).isTrue();
                List<Long> made = new ArrayList<>();
                client.workspaces().list().forEach(w -> {
                    if (!before.contains(w.path("id").asLong())) {
                        made.add(w.path("id").asLong());
                    }
                });
                assertThat(made).hasSize(1);
                run.destroy(); // SIGTERM while the runner waits for the create's answer
                assertThat(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                String printed = Files.readString(tmp.resolve("creating.log"));
                assertThat(workspaceExists(made.get(0))).as(printed).isFalse();
                assertThat(data.resolve("started")).doesNotExist();
                assertThat(run.exitValue()).as(printed).isNotZero();
                assertThat(printed).contains("ERROR Stopping the run (SIGTERM or Ctrl-C).", "ERROR " + RunStop.MESSAGE,
                        "INFO Deleted workspace " + made.get(0) + ".");
            } finally {
                run.destroyForcibly();
            }
        }
    }

    @Test
    void anUnloadOfAMissingTableFailsTheRunWithStoragesErrorAndChangesNothing() throws Exception {
        Components.table(client, "ws-keep", "existing", "id,name\n1,ann\n", List.of("id"));
        List<String> before = Components.content(client, "in.c-ws-keep.existing");
        JsonNode detail = client.getTable("in.c-ws-keep.existing");
        String config = """
                {"storage": {"output": {"tables": [
                    {"source": "nothere", "destination": "in.c-ws-keep.existing", "primary_key": ["id"]},
                    {"source": "alsonot", "destination": "in.c-ws-keep.never", "columns": ["id", "name"]}]}}}
                """;
        RunResult r = run(config, List.of("true"), WORKSPACE, tmp.resolve("missing")); // makes neither table
        assertThat(r.exitCode()).as(log.toString()).isEqualTo(1);
        long id = createdWorkspace();
        assertThat(r.message()).contains("Failed to load table \"in.c-ws-keep.existing\": Table \"nothere\" not found in"
                + " schema \"WORKSPACE_" + id + "\"", "Failed to load table \"in.c-ws-keep.never\": Table \"alsonot\" not"
                + " found in schema \"WORKSPACE_" + id + "\"");
        assertThat(Components.content(client, "in.c-ws-keep.existing")).isEqualTo(before);
        JsonNode after = client.getTable("in.c-ws-keep.existing");
        for (String field : List.of("columns", "primaryKey", "rowsCount", "lastImportDate", "metadata")) {
            assertThat(after.get(field)).as(field).isEqualTo(detail.get(field));
        }
        assertThat(Components.exists(client, "in.c-ws-keep.never")).isFalse();
        assertThat(workspaceExists(id)).isFalse();
    }

    @Test
    void daysAndAdaptiveAreRefusedBeforeAWorkspaceIsMade() throws Exception {
        Components.table(client, "ws-refuse", "t", "id\n1\n", List.of());
        int workspaces = client.workspaces().list().size();
        for (String[] c : new String[][] {{"\"days\": 3", WorkspaceInputs.DAYS},
                {"\"changed_since\": \"adaptive\"", WorkspaceInputs.ADAPTIVE},
                {"\"use_view\": true", String.format(WorkspaceInputs.VIEW, "in.c-ws-refuse.t")},
                {"\"load_type\": \"VIEW\"", String.format(WorkspaceInputs.VIEW, "in.c-ws-refuse.t")}}) {
            String config = "{\"storage\": {\"input\": {\"tables\": [{\"source\": \"in.c-ws-refuse.t\", \"destination\":"
                    + " \"t\", " + c[0] + "}]}, \"output\": {\"tables\": [{\"source\": \"t\", \"destination\":"
                    + " \"out.c-ws-refuse.t\"}]}}}";
            Path data = tmp.resolve("refused" + c[0].length());
            RunResult r = run(config, List.of("touch", "ran"), WORKSPACE, data);
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.message()).isEqualTo(c[1]);
            assertThat(data.resolve("ran")).doesNotExist();
        }
        assertThat(client.workspaces().list().size()).isEqualTo(workspaces);
        assertThat(Components.exists(client, "out.c-ws-refuse.t")).isFalse();
        assertThat(log).noneMatch(l -> l.contains("Created workspace"));
    }

    @Test
    void aGivenWorkspaceIsUsedAndKeptAndManifestsNameOutputsIncrementallyMerged() throws Exception {
        Components.table(client, "ws-reuse", "people", "id,name\n1,ann\n2,bob\n", List.of("id"));
        Components.table(client, "ws-reuse", "merged", "id,name\n1,old\n9,nine\n", List.of("id"));
        long id = client.workspaces().create(false).path("id").asLong();
        try {
            String config = """
                    {"storage": {"input": {"tables": [{"source": "in.c-ws-reuse.people", "destination": "people"}]},
                                 "output": {"tables": [{"source": "people", "destination": "in.c-ws-reuse.merged",
                                                        "incremental": true, "primary_key": ["id"]}]}},
                     "parameters": {"sql": ["CREATE TABLE extra AS SELECT id, upper(name) AS name FROM people"]}}
                    """;
            // a manifest names a second output, a table of the workspace that no mapping entry names
            List<String> command = new ArrayList<>(List.of("sh", "-c", "echo '{\"destination\": \"in.c-ws-reuse.extra\","
                    + " \"primary_key\": [\"id\"]}' > \"$KBC_DATADIR/out/tables/extra.manifest\" && exec \"$@\"", "sh"));
            command.addAll(duckDbComponent());
            RunResult r = run(config, command, new StagingModes("workspace", "workspace", Long.toString(id)),
                    tmp.resolve("reuse"), "cfg-1");
            assertThat(r.exitCode()).as(r.message() + "\n" + log).isZero();
            assertThat(Components.content(client, "in.c-ws-reuse.merged")).containsExactly("id|name", "1|ann", "2|bob",
                    "9|nine");
            assertThat(Components.content(client, "in.c-ws-reuse.extra")).containsExactly("id|name", "1|ANN", "2|BOB");
            assertThat(Json.strings(client.getTable("in.c-ws-reuse.extra").get("primaryKey"))).containsExactly("id");
            assertThat(workspaceExists(id)).isTrue();
            assertThat(log).contains("INFO Using workspace " + id + " (kept after the run).")
                    .noneMatch(l -> l.contains("Deleted workspace"));
        } finally {
            client.workspaces().delete(id);
        }
    }
}
