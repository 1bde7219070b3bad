package io.granary.client;

import static io.granary.client.HttpTransport.seg;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workspaces of a Storage API ({@code /v2/storage/workspaces}), from {@link StorageClient#workspaces()}: isolated
 * SQL places with their own login, loaded from Storage tables and unloaded into them. Errors are as for every call of
 * {@link StorageClient}; calls that are jobs on the server return the finished job.
 */
public final class Workspaces {

    private final HttpTransport http;
    private final Jobs jobs;

    Workspaces(HttpTransport http, Jobs jobs) {
        this.http = http;
        this.jobs = jobs;
    }

    /**
     * Creates a workspace of the server's backend and returns it with its password in {@code connection.password} —
     * the only answer that carries it (besides {@link #resetPassword}).
     *
     * @param readOnlyStorageAccess also let its login read every Storage table (needs a token that can read them all)
     */
    public JsonNode create(boolean readOnlyStorageAccess) {
        return http.send("POST", "/v2/storage/workspaces", Map.of(), Map.of("readOnlyStorageAccess",
                readOnlyStorageAccess)).body();
    }

    /** Creates a workspace labelled with a component configuration (as a transformation's sandbox is). */
    public JsonNode createForConfiguration(String componentId, String configurationId, boolean readOnlyStorageAccess) {
        return http.send("POST", "/v2/storage/components/" + seg(componentId) + "/configs/" + seg(configurationId)
                + "/workspaces", Map.of(), Map.of("readOnlyStorageAccess", readOnlyStorageAccess)).body();
    }

    /** The workspaces this token may see (its own; all of them for the master token), without passwords. */
    public JsonNode list() {
        return http.get("/v2/storage/workspaces", Map.of());
    }

    public JsonNode get(long workspaceId) {
        return http.get("/v2/storage/workspaces/" + workspaceId, Map.of());
    }

    /** Deletes the workspace with its tables and its login (as a job, waiting for it). */
    public void delete(long workspaceId) {
        jobs.waitIfJob(http.send("DELETE", "/v2/storage/workspaces/" + workspaceId, Map.of("async", true), null));
    }

    /** A new password for the workspace's login; the old one stops working. */
    public String resetPassword(long workspaceId) {
        return http.send("POST", "/v2/storage/workspaces/" + workspaceId + "/password", Map.of(), Map.of()).body()
                .path("password").asText();
    }

    /**
     * Copies Storage tables into the workspace ({@code POST …/load}) and returns the finished {@code workspaceLoad}
     * job. Each item is as the API takes it: {@code source}, {@code destination}, {@code columns},
     * {@code whereColumn}/{@code whereValues}/{@code whereOperator}, {@code changedSince}, {@code rows},
     * {@code overwrite}. Without {@code preserve} the workspace is emptied first.
     */
    public JsonNode load(long workspaceId, List<Map<String, Object>> input, boolean preserve) {
        return jobs.submitAndWait("/v2/storage/workspaces/" + workspaceId + "/load", body(input, preserve));
    }

    /** As {@link #load}, with the snake_case items of a component's {@code storage.input.tables}. */
    public JsonNode inputMappingLoad(long workspaceId, List<Map<String, Object>> input, boolean preserve) {
        return jobs.submitAndWait("/v2/storage/workspaces/" + workspaceId + "/input-mapping-load", body(input, preserve));
    }

    /**
     * Creates Storage table {@code bucketId.name} from workspace table {@code object} ({@code tables-async} with
     * {@code dataWorkspaceId}); returns the finished job.
     */
    public JsonNode createTableFrom(long workspaceId, String object, String bucketId, String name, List<String> primaryKey) {
        return createTableFrom(workspaceId, object, bucketId, name, primaryKey, List.of());
    }

    /**
     * As {@link #createTableFrom(long, String, String, String, List)}, the new table taking only {@code columns} of the
     * workspace table (matched by name; empty = all of them but {@code _timestamp}).
     */
    public JsonNode createTableFrom(long workspaceId, String object, String bucketId, String name, List<String> primaryKey,
            List<String> columns) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("dataWorkspaceId", workspaceId);
        body.put("dataObject", object);
        if (primaryKey != null && !primaryKey.isEmpty()) {
            body.put("primaryKey", String.join(",", primaryKey));
        }
        if (columns != null && !columns.isEmpty()) {
            body.put("columns", columns);
        }
        return jobs.submitAndWait("/v2/storage/buckets/" + seg(bucketId) + "/tables-async", body);
    }

    /**
     * Loads workspace table {@code object} into Storage table {@code tableId} ({@code import-async} with
     * {@code dataWorkspaceId}), replacing its rows or, with {@code incremental}, merging them; returns the finished job.
     */
    public JsonNode writeTableFrom(long workspaceId, String object, String tableId, boolean incremental) {
        return writeTableFrom(workspaceId, object, tableId, incremental, List.of());
    }

    /**
     * As {@link #writeTableFrom(long, String, String, boolean)}, taking only {@code columns} of the workspace table
     * (matched by name; empty = all of them).
     */
    public JsonNode writeTableFrom(long workspaceId, String object, String tableId, boolean incremental,
            List<String> columns) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dataWorkspaceId", workspaceId);
        body.put("dataObject", object);
        body.put("incremental", incremental);
        if (columns != null && !columns.isEmpty()) {
            body.put("columns", columns);
        }
        return jobs.submitAndWait("/v2/storage/tables/" + seg(tableId) + "/import-async", body);
    }

    private static Map<String, Object> body(List<Map<String, Object>> input, boolean preserve) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("input", input);
        body.put("preserve", preserve);
        return body;
    }
}
