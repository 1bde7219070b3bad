package io.granary.runner.components;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A component as users write them for a DuckDB workspace: runs the statements of {@code parameters.sql} in the
 * database file {@code authorization.workspace.database} names, then exits (releasing the file for the unload). Run
 * as its own process: {@code java -cp <test classpath> io.granary.runner.components.DuckDbSqlComponent}. Exit 1 and
 * the message on stderr when a statement fails, as a component reports a user error. With readOnlyStorageAccess it
 * attaches {@code authorization.workspace.storageDatabase} read-only as {@code storage} first.
 */
public final class DuckDbSqlComponent {

    private DuckDbSqlComponent() {
    }

    public static void main(String[] args) throws Exception {
        JsonNode config = new ObjectMapper().readTree(new File(System.getenv("KBC_DATADIR"), "config.json"));
        JsonNode workspace = config.path("authorization").path("workspace");
        if (!"duckdb".equals(workspace.path("backend").asText())) {
            System.err.println("Not a DuckDB workspace: " + workspace.path("backend").asText());
            System.exit(2);
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + workspace.path("database").asText());
                Statement s = c.createStatement()) {
            String storage = workspace.path("storageDatabase").asText("");
            if (!storage.isEmpty()) {
                // readOnlyStorageAccess: Storage's tables, read-only, as "storage"."<bucket>"."<table>"
                s.execute("ATTACH '" + storage.replace("'", "''") + "' AS storage (READ_ONLY)");
            }
            for (JsonNode sql : config.path("parameters").path("sql")) {
                System.out.println("Running: " + sql.asText());
                s.execute(sql.asText());
            }
        } catch (java.sql.SQLException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
