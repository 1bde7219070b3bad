package io.granary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.StorageClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code granary workspace …}: SQL workspaces with their own login, loaded from and unloaded into Storage. */
@Command(name = "workspace", mixinStandardHelpOptions = true,
        description = "Create, load, unload and delete workspaces (an isolated SQL schema or file with its own login).",
        subcommands = {WorkspaceCommand.Create.class, WorkspaceCommand.ListWorkspaces.class, WorkspaceCommand.Detail.class,
            WorkspaceCommand.Delete.class, WorkspaceCommand.Load.class, WorkspaceCommand.Unload.class,
            WorkspaceCommand.Password.class})
final class WorkspaceCommand {

    private WorkspaceCommand() {
    }

    /** The connection fields one per line, {@code field: value}, the password among them when the answer has it. */
    static String describe(JsonNode ws) {
        StringBuilder sb = new StringBuilder("workspace ").append(ws.path("id").asText()).append('\n');
        ws.path("connection").fields().forEachRemaining(e -> sb.append("  ").append(e.getKey()).append(": ")
                .append(e.getValue().asText()).append('\n'));
        return sb.toString().stripTrailing();
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a workspace and print its connection, password included (shown only now).")
    static final class Create implements Runnable {
        @Mixin
        Connection connection;
        @Option(names = "--read-only-storage-access", description = "Let its login also read every Storage table.")
        boolean readOnlyStorageAccess;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                JsonNode ws = client.workspaces().create(readOnlyStorageAccess);
                Output.print(connection, ws, describe(ws));
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the workspaces this token may see.")
    static final class ListWorkspaces implements Runnable {
        @Mixin
        Connection connection;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                Output.table(connection, client.workspaces().list(), "id", "name", "created", "component");
            }
        }
    }

    @Command(name = "detail", mixinStandardHelpOptions = true, description = "Show a workspace (without its password).")
    static final class Detail implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Workspace id.")
        long id;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                JsonNode ws = client.workspaces().get(id);
                Output.print(connection, ws, describe(ws));
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a workspace with its tables; its login stops working.")
    static final class Delete implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Workspace id.")
        long id;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                client.workspaces().delete(id);
            }
        }
    }

    @Command(name = "password", mixinStandardHelpOptions = true,
            description = "Give the workspace's login a new password and print it; the old one stops working.")
    static final class Password implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Workspace id.")
        long id;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                String password = client.workspaces().resetPassword(id);
                Output.print(connection, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("password", password), password);
            }
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Copy tables into a workspace: granary workspace load 12 in.c-main.orders:orders in.c-main.users")
    static final class Load implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(index = "0", description = "Workspace id.")
        long id;
        @Parameters(index = "1..*", arity = "1..*",
                description = "Table id, optionally :name in the workspace (default: the table's name).")
        List<String> tables;
        @Option(names = "--preserve", description = "Keep what the workspace holds (default: empty it first).")
        boolean preserve;
        @Option(names = "--overwrite", description = "With --preserve, replace tables of the same name.")
        boolean overwrite;
        @Option(names = "--rows", description = "At most this many rows of each table.")
        Long rows;

        @Override
        public void run() {
            List<Map<String, Object>> input = new ArrayList<>();
            for (String spec : tables) {
                int colon = spec.indexOf(':');
                String source = colon < 0 ? spec : spec.substring(0, colon);
                TableCommand.bucketOf(source);
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("source", source);
                item.put("destination", colon < 0 ? source.substring(source.lastIndexOf('.') + 1) : spec.substring(colon + 1));
                item.put("overwrite", overwrite);
                if (rows != null) {
                    item.put("rows", rows);
                }
                input.add(item);
            }
            try (StorageClient client = connection.client()) {
                JsonNode job = client.workspaces().load(id, input, preserve);
                StringBuilder text = new StringBuilder();
                for (JsonNode t : job.path("results").path("input")) {
                    text.append(t.path("source").asText()).append(" -> ").append(t.path("destination").asText())
                            .append(": ").append(t.path("rowsCount").asLong()).append(" rows\n");
                }
                Output.print(connection, job, text.toString().stripTrailing());
            }
        }
    }

    @Command(name = "unload", mixinStandardHelpOptions = true,
            description = "Load a workspace table into a Storage table, creating it if needed:"
                    + " granary workspace unload 12 result out.c-main.result")
    static final class Unload implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(index = "0", description = "Workspace id.")
        long id;
        @Parameters(index = "1", description = "Table in the workspace.")
        String object;
        @Parameters(index = "2", description = "Storage table id, e.g. out.c-main.result.")
        String tableId;
        @Option(names = "--primary-key", split = ",", description = "Primary key column(s) when the table is created.")
        List<String> primaryKey = List.of();
        @Option(names = "--incremental-load", description = "Merge into the table instead of replacing its rows.")
        boolean incremental;

        @Override
        public void run() {
            String bucketId = TableCommand.bucketOf(tableId);
            try (StorageClient client = connection.client()) {
                boolean exists = TableCommand.Upload.exists(client, tableId);
                if (!exists) {
                    TableCommand.Upload.ensureBucket(client, bucketId);
                }
                JsonNode job = exists ? client.workspaces().writeTableFrom(id, object, tableId, incremental)
                        : client.workspaces().createTableFrom(id, object, bucketId,
                                tableId.substring(bucketId.length() + 1), primaryKey);
                JsonNode table = client.getTable(tableId);
                Output.print(connection, job, tableId + ": " + table.path("rowsCount").asLong() + " rows");
            }
        }
    }
}
