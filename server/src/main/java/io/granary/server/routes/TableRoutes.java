package io.granary.server.routes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobService;
import io.granary.core.model.Bucket;
import io.granary.core.job.JobOrigin;
import io.granary.core.model.Job;
import io.granary.core.model.Permission;
import io.granary.core.model.Table;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.storage.FileService;
import io.granary.core.storage.SelectionInput;
import io.granary.core.storage.TableService;
import io.javalin.http.UploadedFile;
import java.io.InputStream;
import io.granary.server.http.Params;
import io.granary.server.http.Requests;
import io.granary.server.http.Responses;
import io.granary.server.http.TableParams;
import io.granary.server.http.Views;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Table Storage routes: each translates the request into an input of {@link TableService} and its answer
 * (a job, a table, rows) into the API's JSON. The use case validates, authorises and queues.
 */
public final class TableRoutes {

    static final int MAX_PREVIEW_ROWS = 1000;
    /** How long a synchronous call ({@code write-table}, a table drop) waits for its job. */
    static final Duration SYNC_WAIT = Duration.ofHours(1);

    private final TableService tables;
    private final FileService files;
    private final Catalog catalog;
    private final JobService jobs;
    private final Requests requests;
    private final Views views;
    private final Clock clock;

    public TableRoutes(TableService tables, FileService files, Catalog catalog, JobService jobs, Requests requests,
            Views views, Clock clock) {
        this.tables = tables;
        this.files = files;
        this.catalog = catalog;
        this.jobs = jobs;
        this.requests = requests;
        this.views = views;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v2/storage/buckets/{bucketId}/tables", this::listInBucket);
        routes.post("/v2/storage/buckets/{bucketId}/tables-async", this::create);
        routes.get("/v2/storage/tables", this::listAll);
        routes.get("/v2/storage/tables/{tableId}", this::detail);
        routes.delete("/v2/storage/tables/{tableId}", this::drop);
        routes.post("/v2/storage/tables/{tableId}/import-async", this::importAsync);
        routes.post("/v2/storage/tables/{tableId}/export-async", this::exportAsync);
        routes.get("/v2/storage/tables/{tableId}/data-preview", this::preview);
        routes.post("/v2/storage/tables/{tableId}/data-preview", this::preview);
        routes.delete("/v2/storage/tables/{tableId}/rows", this::deleteRows);
        routes.post("/v2/storage/tables/{tableId}/columns", this::addColumn);
        routes.delete("/v2/storage/tables/{tableId}/columns/{column}", this::dropColumn);
        routes.post("/v2/storage/tables/{tableId}/primary-key", this::addPrimaryKey);
        routes.delete("/v2/storage/tables/{tableId}/primary-key", this::dropPrimaryKey);
        routes.get("/v2/storage/tables/{tableId}/metadata", this::listMetadata);
        routes.post("/v2/storage/tables/{tableId}/metadata", this::putMetadata);
        routes.post("/write-table", this::writeTable);
        routes.post("/v2/storage/write-table", this::writeTable);
    }

    /** The importer's one-call load: stream the upload into File Storage, import it, answer with the results. */
    private void writeTable(Context ctx) throws Exception {
        Token caller = requests.caller(ctx);
        jobs.checkAccepting(); // a stopping node refuses before it stores the upload
        UploadedFile data = Requests.uploadedData(ctx);
        Params p = requests.params(ctx);
        String tableId = p.string("tableId");
        if (tableId == null || tableId.isBlank()) {
            throw GranaryException.validation("Invalid request: tableId: This value should not be blank.");
        }
        Table t = tables.require(caller, tableId, Permission.WRITE);
        FileService.FileView uploaded;
        try (InputStream in = data.content()) {
            uploaded = files.upload(caller, new FileService.PrepareRequest(data.filename(), data.size(), null, false, false,
                    false, false, List.of()), in, data.size(), requests.runId(ctx));
        }
        ObjectNode params = p.tree().put("tableId", t.id()).put("dataFileId", uploaded.file().id());
        Job job = tables.submitImport(caller, t.id(), TableParams.importInput(Params.of(params)), origin(ctx, params));
        Responses.json(ctx, 200, jobs.finish(caller, job, SYNC_WAIT));
    }

    private void listInBucket(Context ctx) {
        Token caller = requests.caller(ctx);
        render(ctx, tables.list(caller, ctx.pathParam("bucketId")));
    }

    private void listAll(Context ctx) {
        Token caller = requests.caller(ctx);
        render(ctx, tables.list(caller, null));
    }

    private void render(Context ctx, List<Table> list) {
        String include = requests.params(ctx).string("include");
        boolean columns = include != null && List.of(include.split(",")).contains("columns");
        Map<String, Bucket> buckets = catalog.listBuckets().stream().collect(Collectors.toMap(Bucket::id, Function.identity()));
        Responses.json(ctx, 200, list.stream().map(t -> views.table(t, buckets.get(t.ref().bucketId()), columns)).toList());
    }

    private void detail(Context ctx) {
        Token caller = requests.caller(ctx);
        Table t = tables.get(caller, ctx.pathParam("tableId"));
        Responses.json(ctx, 200, views.table(t, catalog.findBucket(t.ref().bucketId()).orElse(null), true,
                catalog.listMetadata(t.id())));
    }

    private void listMetadata(Context ctx) {
        Token caller = requests.caller(ctx);
        Table t = tables.get(caller, ctx.pathParam("tableId"));
        Responses.json(ctx, 200, catalog.listMetadata(t.id()).stream().filter(m -> m.column() == null)
                .map(views::metadata).toList());
    }

    /** {@code provider}, {@code metadata[] {key, value}}, {@code columnsMetadata {column: [{key, value}]}}. */
    private void putMetadata(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        Table t = tables.require(caller, ctx.pathParam("tableId"), Permission.WRITE);
        String provider = p.string("provider");
        if (provider == null || provider.isBlank()) {
            throw new GranaryException(io.granary.core.error.ErrorCode.TABLES_VALIDATION,
                    "Invalid request:\n - provider: \"This value should not be blank.\"");
        }
        java.util.Map<String, java.util.Map<String, String>> byColumn = new java.util.LinkedHashMap<>();
        byColumn.put(null, entries(p.node("metadata"), "metadata"));
        com.fasterxml.jackson.databind.JsonNode columns = p.node("columnsMetadata");
        if (columns != null && columns.isObject()) {
            columns.fields().forEachRemaining(e -> {
                if (!t.columns().contains(e.getKey())) {
                    throw new GranaryException(io.granary.core.error.ErrorCode.TABLES_VALIDATION, "Column \""
                            + e.getKey() + "\" not found in table " + t.id() + ".");
                }
                byColumn.put(e.getKey(), entries(e.getValue(), "columnsMetadata." + e.getKey()));
            });
        }
        java.time.Instant now = clock.instant();
        byColumn.forEach((column, entries) -> {
            if (!entries.isEmpty()) {
                catalog.putMetadata(t.id(), column, provider.strip(), entries, now);
            }
        });
        Responses.json(ctx, 201, catalog.listMetadata(t.id()).stream().filter(m -> m.column() == null)
                .map(views::metadata).toList());
    }

    private static java.util.Map<String, String> entries(com.fasterxml.jackson.databind.JsonNode list, String name) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (list == null) {
            return out;
        }
        for (com.fasterxml.jackson.databind.JsonNode m : list) {
            String key = m.path("key").asText("");
            if (key.isBlank()) {
                throw new GranaryException(io.granary.core.error.ErrorCode.TABLES_VALIDATION,
                        "Invalid request: " + name + ": every entry needs a \"key\".");
            }
            out.put(key, m.path("value").isNull() ? null : m.path("value").asText());
        }
        return out;
    }

    private void create(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        String bucketId = ctx.pathParam("bucketId");
        TableService.CreateInput input = TableParams.createInput(p);
        ObjectNode params = p.tree().put("bucketId", bucketId).put("name", input.name());
        accepted(ctx, tables.submitCreate(caller, bucketId, input, origin(ctx, params)));
    }

    private void importAsync(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        TableService.ImportInput input = TableParams.importInput(p);
        String tableId = ctx.pathParam("tableId");
        accepted(ctx, tables.submitImport(caller, tableId, input, origin(ctx, p.tree().put("tableId", tableId))));
    }

    private void exportAsync(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        TableService.ExportInput input = TableParams.exportInput(p);
        String tableId = ctx.pathParam("tableId");
        accepted(ctx, tables.submitExport(caller, tableId, input, origin(ctx, p.tree().put("tableId", tableId))));
    }

    /** Synchronous or not, a drop is a job on the table's lock: it never interleaves with a load of the table. */
    private void drop(Context ctx) throws InterruptedException {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        String tableId = ctx.pathParam("tableId");
        boolean async = p.bool("async", false);
        Job job = tables.submitDrop(caller, tableId, origin(ctx, tableParams(tableId)));
        if (async) {
            accepted(ctx, job);
            return;
        }
        jobs.finish(caller, job, SYNC_WAIT);
        Responses.noContent(ctx);
    }

    private void preview(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        Integer limit = p.intValue("limit");
        int rows = limit == null ? 100 : limit;
        if (rows < 0 || rows > MAX_PREVIEW_ROWS) {
            throw new GranaryException(io.granary.core.error.ErrorCode.TABLES_VALIDATION,
                    "Invalid request: limit: the preview returns at most " + MAX_PREVIEW_ROWS + " rows.");
        }
        List<String> requested = p.list("columns", true);
        TableService.Preview preview = tables.preview(caller, ctx.pathParam("tableId"), requested, TableParams.selection(p),
                rows);
        List<String> columns = preview.columns();
        if ("json".equals(p.string("format"))) {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            ArrayNode cols = n.putArray("columns");
            columns.forEach(cols::add);
            ArrayNode out = n.putArray("rows");
            for (List<String> row : preview.rows()) {
                ArrayNode r = out.addArray();
                for (int i = 0; i < columns.size(); i++) {
                    r.addObject().put("columnName", columns.get(i)).put("value", row.get(i)).put("isTruncated", false);
                }
            }
            Responses.json(ctx, 200, n);
            return;
        }
        StringBuilder csv = new StringBuilder();
        appendCsv(csv, columns);
        preview.rows().forEach(row -> appendCsv(csv, row));
        ctx.status(200).contentType("text/csv; charset=utf-8").result(csv.toString());
    }

    private static void appendCsv(StringBuilder sb, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String v = values.get(i) == null ? "" : values.get(i);
            sb.append('"').append(v.replace("\"", "\"\"")).append('"');
        }
        sb.append('\n');
    }

    private void deleteRows(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        String tableId = ctx.pathParam("tableId");
        SelectionInput selection = TableParams.selection(p);
        accepted(ctx, tables.submitRowsDelete(caller, tableId, selection, p.bool("allowTruncate", false),
                origin(ctx, p.tree().put("tableId", tableId))));
    }

    private void addColumn(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        String tableId = ctx.pathParam("tableId");
        String name = p.string("name");
        accepted(ctx, tables.submitColumnAdd(caller, tableId, name, origin(ctx, tableParams(tableId).put("name", name))));
    }

    private void dropColumn(Context ctx) {
        Token caller = requests.caller(ctx);
        String tableId = ctx.pathParam("tableId");
        String column = ctx.pathParam("column");
        accepted(ctx, tables.submitColumnDrop(caller, tableId, column, origin(ctx, tableParams(tableId).put("name", column))));
    }

    private void addPrimaryKey(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        String tableId = ctx.pathParam("tableId");
        List<String> columns = p.list("columns", true);
        ObjectNode params = tableParams(tableId);
        ArrayNode cols = params.putArray("columns");
        if (columns != null) {
            columns.forEach(cols::add);
        }
        accepted(ctx, tables.submitPrimaryKey(caller, tableId, columns, origin(ctx, params)));
    }

    private void dropPrimaryKey(Context ctx) {
        Token caller = requests.caller(ctx);
        String tableId = ctx.pathParam("tableId");
        accepted(ctx, tables.submitPrimaryKeyDrop(caller, tableId, origin(ctx, tableParams(tableId))));
    }

    private static ObjectNode tableParams(String tableId) {
        return JsonNodeFactory.instance.objectNode().put("tableId", tableId);
    }

    private JobOrigin origin(Context ctx, ObjectNode params) {
        return new JobOrigin(requests.runId(ctx), params);
    }

    private void accepted(Context ctx, Job job) {
        Responses.json(ctx, 202, views.job(job));
    }
}
