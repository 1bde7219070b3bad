package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.server.support.EmbeddedGranary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code granary workspace …} against a real server, through the Java client: create, load, SQL in the workspace with
 * its own connection, unload into a new table, the reference's error for a missing workspace table, delete.
 */
class WorkspaceCommandTest {

    @TempDir
    static Path tmp;

    @RegisterExtension
    static EmbeddedGranary server = new EmbeddedGranary();

    private static CliRun granary(String... args) {
        return CliRun.run(server.url(), EmbeddedGranary.MASTER_TOKEN, args);
    }

    @Test
    void aWorkspaceIsCreatedLoadedUnloadedAndDeletedFromTheCommandLine() throws Exception {
        Path csv = Files.writeString(tmp.resolve("orders.csv"), "id,name\n1,apple\n2,pear\n3,plum\n");
        assertThat(granary("table", "upload", "in.c-cli.orders", csv.toString(), "--primary-key", "id").exitCode())
                .isZero();

        CliRun created = granary("workspace", "create", "--output", "json");
        assertThat(created.exitCode()).as(created.err()).isZero();
        JsonNode ws = new ObjectMapper().readTree(created.out());
        String id = ws.get("id").asText();
        assertThat(ws.get("connection").has("password")).isTrue();

        assertThat(granary("workspace", "list").out()).contains(id + "\tWORKSPACE_" + id);
        CliRun detail = granary("workspace", "detail", id);
        assertThat(detail.out()).contains("workspace " + id, "schema: ", "backend: ").doesNotContain("password");

        CliRun loaded = granary("workspace", "load", id, "in.c-cli.orders:o", "--rows", "2");
        assertThat(loaded.exitCode()).as(loaded.err()).isZero();
        assertThat(loaded.out().strip()).isEqualTo("in.c-cli.orders -> o: 2 rows");

        // a component's SQL, with the connection the create printed
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + ws.get("connection").get("database").asText());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE result AS SELECT id, upper(name) AS name FROM o");
        }
        CliRun unloaded = granary("workspace", "unload", id, "result", "out.c-cli.result", "--primary-key", "id");
        assertThat(unloaded.exitCode()).as(unloaded.err()).isZero();
        assertThat(unloaded.out().strip()).isEqualTo("out.c-cli.result: 2 rows");

        CliRun missing = granary("workspace", "unload", id, "nothere", "out.c-cli.result");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("Table \"nothere\" not found in schema \"WORKSPACE_" + id + "\"");
        assertThat(granary("table", "detail", "out.c-cli.result", "--output", "json").out()).contains("\"rowsCount\" : 2");

        assertThat(granary("workspace", "delete", id).exitCode()).isZero();
        CliRun gone = granary("workspace", "detail", id);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("Workspace " + id + " not found");
    }
}
