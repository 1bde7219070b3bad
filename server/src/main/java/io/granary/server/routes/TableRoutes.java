package io.granary.server.routes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobService;
import io.granary.core.model.Bucket;
import io.granary.core.model.NewJob;
import io.granary.core.model.Permission;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.storage.FileService;
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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Table Storage routes. Anything that changes a table is a job, serialised per table. */
public final class TableRoutes {

    public static final String CREATE = "tableCreate";
    public static final String IMPORT = "tableImport";
    public static final String EXPORT = "tableExport";
    public static final String DROP = "tableDrop";
    public static final String ROWS_DELETE = "tableRowsDelete";
    public static final String COLUMN_ADD = "tableColumnAdd";
    public static final String COLUMN_DELETE = "tableColumnDelete";
    public static final String PRIMARY_KEY_ADD = "tablePrimaryKeyAdd";
    public static final String PRIMARY_KEY_DELETE = "tablePrimaryKeyDelete";
    static final int MAX_PREVIEW_ROWS = 1000;

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
        TableParams.importOptions(Params.of(params));
        var job = jobs.submit(new NewJob(IMPORT, params, t.id(), t.id(), requests.runId(ctx), caller.id(), caller.description()));
        var done = jobs.await(caller, job.id(), java.time.Duration.ofHours(1));
        if (done.status() == io.granary.core.model.JobStatus.ERROR) {
            throw new GranaryException(io.granary.core.error.ErrorCode.user(done.error().code(), 400), done.error().message());
        }
        Responses.json(ctx, 200, done.results());
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
        TableParams.dialect(p);
        TableRef ref = tables.checkCreate(caller, ctx.pathParam("bucketId"), p.string("name"), TableParams.dataFileId(p));
        TableParams.primaryKey(p);
        ObjectNode params = p.tree().put("bucketId", ref.bucketId()).put("name", ref.name());
        submit(ctx, caller, CREATE, ref.tableId(), params);
    }

    private void importAsync(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        TableParams.importOptions(p);
        Table t = tables.checkImport(caller, ctx.pathParam("tableId"), TableParams.dataFileId(p));
        submit(ctx, caller, IMPORT, t.id(), p.tree().put("tableId", t.id()));
    }

    private void exportAsync(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        Table t = tables.checkExport(caller, ctx.pathParam("tableId"), TableParams.exportOptions(p, clock));
        submit(ctx, caller, EXPORT, t.id(), p.tree().put("tableId", t.id()));
    }

    private void drop(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        Table t = tables.require(caller, ctx.pathParam("tableId"), Permission.WRITE);
        if (p.bool("async", false)) {
            submit(ctx, caller, DROP, t.id(), JsonNodeFactory.instance.objectNode().put("tableId", t.id()));
            return;
        }
        tables.drop(t.id());
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
        String tableId = ctx.pathParam("tableId");
        Table t = tables.get(caller, tableId);
        List<String> requested = p.list("columns", true);
        List<String> columns = requested == null || requested.isEmpty() ? t.columns() : requested;
        List<List<String>> data = tables.preview(caller, tableId, columns, TableParams.selection(p, clock), rows);
        if ("json".equals(p.string("format"))) {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            ArrayNode cols = n.putArray("columns");
            columns.forEach(cols::add);
            ArrayNode out = n.putArray("rows");
            for (List<String> row : data) {
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
        data.forEach(row -> appendCsv(csv, row));
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
        Table t = tables.require(caller, ctx.pathParam("tableId"), Permission.WRITE);
        var selection = TableParams.selection(p, clock);
        if (selection.filters().isEmpty() && selection.changedSince() == null && selection.changedUntil() == null
                && !p.bool("allowTruncate", false)) {
            throw new GranaryException(io.granary.core.error.ErrorCode.TABLES_VALIDATION,
                    "No filter given: deleting all rows needs allowTruncate=true.");
        }
        submit(ctx, caller, ROWS_DELETE, t.id(), p.tree().put("tableId", t.id()));
    }

    private void addColumn(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        Table t = tables.require(caller, ctx.pathParam("tableId"), Permission.WRITE);
        String name = p.string("name");
        io.granary.core.csv.ColumnNames.check(name == null ? "" : name, name);
        submit(ctx, caller, COLUMN_ADD, t.id(), JsonNodeFactory.instance.objectNode().put("tableId", t.id()).put("name", name));
    }

    private void dropColumn(Context ctx) {
        Token caller = requests.caller(ctx);
        Table t = tables.require(caller, ctx.pathParam("tableId"), Permission.WRITE);
        submit(ctx, caller, COLUMN_DELETE, t.id(), JsonNodeFactory.instance.objectNode().put("tableId", t.id())
                .put("name", ctx.pathParam("column")));
    }

    private void addPrimaryKey(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        Table t = tables.require(caller, ctx.pathParam("tableId"), Permission.WRITE);
        List<String> columns = p.list("columns", true);
        if (columns == null || columns.isEmpty()) {
            throw new GranaryException(io.granary.core.error.ErrorCode.TABLES_VALIDATION,
                    "Invalid request:\n - columns: \"This value should not be blank.\"");
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("tableId", t.id());
        ArrayNode cols = params.putArray("columns");
        columns.forEach(cols::add);
        submit(ctx, caller, PRIMARY_KEY_ADD, t.id(), params);
    }

    private void dropPrimaryKey(Context ctx) {
        Token caller = requests.caller(ctx);
        Table t = tables.require(caller, ctx.pathParam("tableId"), Permission.WRITE);
        submit(ctx, caller, PRIMARY_KEY_DELETE, t.id(), JsonNodeFactory.instance.objectNode().put("tableId", t.id()));
    }

    private void submit(Context ctx, Token caller, String operation, String tableId, ObjectNode params) {
        var job = jobs.submit(new NewJob(operation, params, tableId, tableId, requests.runId(ctx), caller.id(),
                caller.description()));
        Responses.json(ctx, 202, views.job(job));
    }
}
