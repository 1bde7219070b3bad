package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import io.granary.client.TableImportOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Output mapping (spec 3): everything in {@code out/tables} and {@code out/files}, merged with the configured mapping,
 * validated as a whole (nothing is loaded when any output is invalid), then loaded in parallel.
 */
public final class OutputMapping {

    /** The run's identity: system tags of output files (3.8) and the default bucket (3.1). */
    public record Context(String componentId, String configId, String runId, String defaultBucket) {
    }

    /** One resolved output table (spec 3.2 step 4 + 3.3 + 3.4). */
    public record TableOutput(String source, Path path, boolean sliced, String destination, List<String> columns,
            boolean hasHeader, List<String> primaryKey, boolean incremental, String delimiter, String enclosure,
            boolean writeAlways, List<String> tags, List<Map<String, Object>> deletes,
            List<Map<String, String>> metadata, Map<String, List<Map<String, String>>> columnMetadata) {
    }

    private static final Set<String> SYSTEM_COLUMNS = Set.of("oid", "tableoid", "xmin", "cmin", "xmax", "cmax", "ctid");

    private final StorageClient client;
    private final DataFolder folder;
    private final RunLog log;
    private final int parallelism;
    private final Context context;

    public OutputMapping(StorageClient client, DataFolder folder, RunLog log, int parallelism, Context context) {
        this.client = client;
        this.folder = folder;
        this.log = log;
        this.parallelism = Math.max(1, parallelism);
        this.context = context;
    }

    // ------------------------------------------------------------------ tables: discovery + validation (3.2 – 3.5)

    /**
     * Discovers, merges, resolves and validates every output table. In failed-job mode (3.7) errors are swallowed and
     * only {@code write_always} outputs are returned.
     *
     * @throws UserException with every problem found (one per line) when not in failed-job mode
     */
    public List<TableOutput> prepareTables(List<JsonNode> mapping, boolean failedJob) {
        List<String> names = listNames(folder.outTables(), false);
        Set<String> data = new TreeSet<>();
        Set<String> manifests = new TreeSet<>();
        for (String n : names) {
            (n.endsWith(".manifest") ? manifests : data).add(n);
        }
        List<String> orphans = new ArrayList<>();
        for (String m : manifests) {
            if (!data.contains(m.substring(0, m.length() - ".manifest".length()))) {
                orphans.add("\"" + m + "\"");
            }
        }
        if (!orphans.isEmpty() && !failedJob) {
            throw new UserException("Found orphaned table manifest: " + String.join(", ", orphans));
        }
        List<String> missing = new ArrayList<>();
        for (JsonNode m : mapping) {
            String s = m.path("source").asText();
            if (!data.contains(s) && !missing.contains("\"" + s + "\"")) {
                missing.add("\"" + s + "\"");
            }
        }
        if (!missing.isEmpty() && !failedJob) {
            throw new UserException("Table sources not found: " + String.join(", ", missing));
        }
        List<TableOutput> outputs = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String name : data) {
            List<JsonNode> entries = mapping.stream().filter(m -> name.equals(m.path("source").asText())).toList();
            List<JsonNode> combined = entries.isEmpty() ? java.util.Collections.singletonList(null) : entries;
            for (JsonNode entry : combined) {
                try {
                    TableOutput out = resolve(name, entry);
                    if (!failedJob || out.writeAlways()) {
                        outputs.add(out);
                    }
                } catch (UserException e) {
                    if (!failedJob) {
                        errors.add(e.getMessage());
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new UserException(String.join("\n", errors));
        }
        return outputs;
    }

    private TableOutput resolve(String name, JsonNode mapping) {
        Path path = folder.outTables().resolve(name);
        Path manifestPath = folder.outTables().resolve(name + ".manifest");
        ObjectNode manifest = Json.object();
        if (Files.exists(manifestPath)) {
            manifest = readManifest(manifestPath, "table", true);
        }
        ObjectNode merged = mapping == null ? manifest : merge(manifest, (ObjectNode) mapping, name);
        String prepare = "Failed to prepare mapping configuration for table " + name + ": ";

        // native-types manifest (2.3, 8.2): column list and primary key come from schema
        List<String> columns = Json.strings(merged.get("columns"));
        List<String> primaryKey = Json.strings(merged.get("primary_key"));
        JsonNode schema = merged.path("schema");
        if (schema.isArray() && !schema.isEmpty()) {
            if (!columns.isEmpty()) {
                throw new UserException(prepare + "Only one of \"schema\" or \"columns\" can be defined.");
            }
            if (merged.path("metadata").isArray() && !merged.get("metadata").isEmpty()) {
                throw new UserException(prepare + "Only one of \"schema\" or \"metadata\" can be defined.");
            }
            if (merged.path("column_metadata").isObject() && !merged.get("column_metadata").isEmpty()) {
                throw new UserException(prepare + "Only one of \"schema\" or \"column_metadata\" can be defined.");
            }
            List<String> schemaPk = new ArrayList<>();
            for (JsonNode c : schema) {
                if (c.path("name").asText("").isEmpty()) {
                    throw new UserException(prepare + "The child config \"name\" under \"table.schema\" must be configured.");
                }
                columns.add(c.get("name").asText());
                if (c.path("primary_key").asBoolean(false)) {
                    schemaPk.add(c.get("name").asText());
                }
            }
            if (!schemaPk.isEmpty() && !primaryKey.isEmpty()) {
                throw new UserException(prepare + "Only one of \"primary_key\" or \"schema[].primary_key\" can be defined.");
            }
            if (!schemaPk.isEmpty()) {
                primaryKey = schemaPk;
            }
        }
        if (!merged.path("delete_where_column").asText("").isEmpty() && merged.path("delete_where").isArray()
                && !merged.get("delete_where").isEmpty()) {
            throw new UserException(prepare + "Only one of \"delete_where_column\" or \"delete_where\" can be defined.");
        }
        if (!merged.path("delete_where_column").asText("").isEmpty()
                && Json.strings(merged.get("delete_where_values")).isEmpty()) {
            throw new UserException(prepare
                    + "When \"delete_where_column\" option is set, then the \"delete_where_values\" is required.");
        }

        // 3.5: webalize column names, normalise keys
        columns = webalize(columns);
        primaryKey = normalizeKey(webalize(primaryKey));
        List<String> columnMetadataKeys = new ArrayList<>();
        merged.path("column_metadata").fieldNames().forEachRemaining(columnMetadataKeys::add);
        columnMetadataKeys = webalize(columnMetadataKeys);

        String destination = destination(name, mapping, merged);

        for (String c : concat(columns, columnMetadataKeys)) {
            if (c.equalsIgnoreCase("_timestamp")) {
                throw new UserException("Failed to process mapping for table " + name
                        + ": System columns \"_timestamp\" cannot be imported to the table.");
            }
        }
        boolean sliced = Files.isDirectory(path);
        if (sliced && columns.isEmpty()) {
            throw new UserException("Sliced file \"" + name + "\" columns specification missing.");
        }
        List<Map<String, Object>> deletes = deletes(prepare, merged);
        return new TableOutput(name, path, sliced, destination, List.copyOf(columns),
                merged.path("has_header").asBoolean(false), List.copyOf(primaryKey),
                merged.path("incremental").asBoolean(false), merged.path("delimiter").asText(","),
                merged.has("enclosure") ? merged.get("enclosure").asText() : "\"",
                merged.path("write_always").asBoolean(false), Json.strings(merged.get("tags")), deletes,
                tableMetadata(merged), columnMetadata(merged));
    }

    /** {@code metadata}, plus the native-types {@code table_metadata} map and {@code description} (2.3). */
    private static List<Map<String, String>> tableMetadata(JsonNode merged) {
        List<Map<String, String>> out = keyValues(merged.get("metadata"));
        merged.path("table_metadata").fields().forEachRemaining(e -> out.add(entry(e.getKey(), e.getValue())));
        if (merged.hasNonNull("description")) {
            out.add(entry("KBC.description", merged.get("description")));
        }
        return out;
    }

    /** {@code column_metadata}, plus each native-types {@code schema[]} column's metadata, description and type (2.3). */
    private Map<String, List<Map<String, String>>> columnMetadata(JsonNode merged) {
        Map<String, List<Map<String, String>>> out = columnKeyValues(merged.get("column_metadata"));
        for (JsonNode col : merged.path("schema")) {
            List<Map<String, String>> entries = new ArrayList<>();
            col.path("metadata").fields().forEachRemaining(e -> entries.add(entry(e.getKey(), e.getValue())));
            if (col.hasNonNull("description")) {
                entries.add(entry("KBC.description", col.get("description")));
            }
            JsonNode base = col.path("data_type").path("base");
            if (base.hasNonNull("type")) {
                entries.add(entry("KBC.datatype.basetype", base.get("type")));
            }
            if (base.hasNonNull("length")) {
                entries.add(entry("KBC.datatype.length", base.get("length")));
            }
            if (col.has("nullable")) {
                entries.add(entry("KBC.datatype.nullable", col.get("nullable")));
            }
            if (!entries.isEmpty() && col.hasNonNull("name")) {
                out.computeIfAbsent(webalize(List.of(col.get("name").asText())).get(0), k -> new ArrayList<>()).addAll(entries);
            }
        }
        return out;
    }

    private static Map<String, String> entry(String key, JsonNode value) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("key", key);
        kv.put("value", value.isNull() ? null : value.isBoolean() ? (value.asBoolean() ? "1" : "0") : value.asText());
        return kv;
    }

    private static List<Map<String, String>> keyValues(JsonNode list) {
        List<Map<String, String>> out = new ArrayList<>();
        if (list != null && list.isArray()) {
            for (JsonNode m : list) {
                Map<String, String> kv = new LinkedHashMap<>();
                kv.put("key", m.path("key").asText());
                kv.put("value", m.path("value").isNull() ? null : m.path("value").asText());
                out.add(kv);
            }
        }
        return out;
    }

    private Map<String, List<Map<String, String>>> columnKeyValues(JsonNode byColumn) {
        Map<String, List<Map<String, String>>> out = new LinkedHashMap<>();
        if (byColumn != null && byColumn.isObject()) {
            byColumn.fields().forEachRemaining(e -> {
                List<Map<String, String>> entries = keyValues(e.getValue());
                if (!entries.isEmpty()) {
                    out.put(webalize(List.of(e.getKey())).get(0), entries);
                }
            });
        }
        return out;
    }

    /**
     * The row deletes to run before the load (3.6): the legacy {@code delete_where_column/values/operator} as one
     * request, or one request per {@code delete_where[]} rule, each a body for {@code DELETE /tables/{id}/rows}.
     */
    private static List<Map<String, Object>> deletes(String prepare, JsonNode merged) {
        List<Map<String, Object>> out = new ArrayList<>();
        String column = merged.path("delete_where_column").asText("");
        if (!column.isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("whereColumn", column);
            body.put("whereOperator", operator(prepare, merged.path("delete_where_operator").asText("")));
            body.put("whereValues", Json.strings(merged.get("delete_where_values")));
            out.add(body);
        }
        JsonNode rules = merged.path("delete_where");
        if (!rules.isArray()) {
            return out;
        }
        for (JsonNode rule : rules) {
            if (!rule.has("changed_since") && !rule.has("changed_until") && !rule.has("where_filters")) {
                throw new UserException(prepare
                        + "Each \"delete_where\" item needs at least one of \"changed_since\", \"changed_until\" or \"where_filters\".");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            if (rule.hasNonNull("changed_since")) {
                body.put("changedSince", rule.get("changed_since").asText());
            }
            if (rule.hasNonNull("changed_until")) {
                body.put("changedUntil", rule.get("changed_until").asText());
            }
            List<Map<String, Object>> filters = new ArrayList<>();
            for (JsonNode f : rule.path("where_filters")) {
                if (f.path("column").asText("").isEmpty()) {
                    throw new UserException(prepare + "The \"column\" of a \"where_filters\" item is required.");
                }
                int sources = (f.has("values_from_set") ? 1 : 0) + (f.has("values_from_storage") ? 1 : 0)
                        + (f.has("values_from_workspace") ? 1 : 0);
                if (sources != 1) {
                    throw new UserException(prepare + "A \"where_filters\" item needs exactly one of \"values_from_set\","
                            + " \"values_from_storage\" or \"values_from_workspace\".");
                }
                if (f.has("values_from_workspace")) {
                    throw new UserException(prepare + "\"values_from_workspace\" in \"delete_where\" needs a workspace;"
                            + " this runner stages locally. Use \"values_from_set\" or \"values_from_storage\".");
                }
                Map<String, Object> filter = new LinkedHashMap<>();
                filter.put("column", f.get("column").asText());
                filter.put("operator", operator(prepare, f.path("operator").asText("")));
                if (f.has("values_from_storage")) {
                    JsonNode src = f.get("values_from_storage");
                    if (src.path("bucket_id").asText("").isEmpty() || src.path("table").asText("").isEmpty()) {
                        throw new UserException(prepare + "\"values_from_storage\" needs \"bucket_id\" and \"table\".");
                    }
                    // resolved when the load runs: the values are read from that table's column then
                    filter.put(STORAGE_VALUES, src.get("bucket_id").asText() + "." + src.get("table").asText() + "|"
                            + src.path("column").asText(f.get("column").asText()));
                } else {
                    filter.put("values", Json.strings(f.get("values_from_set")));
                }
                filters.add(filter);
            }
            if (!filters.isEmpty()) {
                body.put("whereFilters", filters);
            }
            out.add(body);
        }
        return out;
    }

    private static String operator(String prepare, String op) {
        String o = op.isEmpty() ? "eq" : op;
        if (!o.equals("eq") && !o.equals("ne")) {
            throw new UserException(prepare + "Invalid delete_where operator \"" + op + "\": use eq or ne.");
        }
        return o;
    }

    /** Destination resolution, exactly spec 3.4. */
    private String destination(String source, JsonNode mapping, ObjectNode merged) {
        String failed = "Failed to resolve destination for output table \"" + source + "\".";
        String d;
        String mapped = mapping == null ? "" : mapping.path("destination").asText("");
        if (!mapped.isEmpty()) {
            if (!isTableId(mapped)) {
                throw new UserException(failed);
            }
            d = mapped;
        } else {
            d = merged.path("destination").asText("");
            boolean fromFileName = d.isEmpty();
            if (fromFileName) {
                d = source.endsWith(".csv") ? source.substring(0, source.length() - 4) : source;
            }
            if (isTableId(d)) {
                if (fromFileName) {
                    log.warn("Source table \"" + source + "\" has neither manifest file nor mapping set, falling back to"
                            + " the source name as a destination.This behaviour was DEPRECATED and will be removed in"
                            + " the future.");
                }
            } else if (context.defaultBucket() != null) {
                d = context.defaultBucket() + "." + d;
            } else {
                throw new UserException(failed);
            }
        }
        String[] parts = d.split("\\.", -1);
        if (parts.length != 3 || Stream.of(parts).anyMatch(String::isEmpty)) {
            throw new UserException("Failed to resolve valid destination. \"" + d + "\" is not a valid table ID.");
        }
        return d;
    }

    private static boolean isTableId(String s) {
        return s.chars().filter(c -> c == '.').count() == 2;
    }

    /** {@code ConfigurationMerger::mergeConfigurations(manifest, mapping)} (spec 3.3). */
    static ObjectNode merge(ObjectNode manifest, ObjectNode mapping, String source) {
        ObjectNode out = manifest.deepCopy();
        boolean manifestSchema = manifest.path("schema").isArray() && !manifest.get("schema").isEmpty();
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "source" -> { }
                case "incremental", "delimiter", "enclosure", "delete_where_operator" -> {
                    JsonNode def = switch (key) {
                        case "incremental" -> Json.MAPPER.getNodeFactory().booleanNode(false);
                        case "delimiter" -> Json.MAPPER.getNodeFactory().textNode(",");
                        case "enclosure" -> Json.MAPPER.getNodeFactory().textNode("\"");
                        default -> Json.MAPPER.getNodeFactory().textNode("eq");
                    };
                    if (!manifest.has(key) || (truthy(v) && !v.equals(def))) {
                        out.set(key, v);
                    }
                }
                case "primary_key" -> {
                    if (manifestSchema) {
                        ArrayNode schema = (ArrayNode) out.get("schema");
                        for (String pk : Json.strings(v)) {
                            ObjectNode col = null;
                            for (JsonNode c : schema) {
                                if (pk.equals(c.path("name").asText())) {
                                    col = (ObjectNode) c;
                                }
                            }
                            if (col == null) {
                                throw new UserException("Failed to prepare mapping configuration for table " + source
                                        + ": Primary key column \"" + pk + "\" not found in manifest file.");
                            }
                            col.put("primary_key", true);
                        }
                    } else if (v.isArray()) {
                        out.set(key, v);
                    }
                }
                case "metadata" -> out.set(key, mergeByKey(manifest.get(key), v));
                case "column_metadata" -> {
                    ObjectNode cm = manifest.path(key).isObject() ? (ObjectNode) manifest.get(key).deepCopy() : Json.object();
                    v.fields().forEachRemaining(c -> cm.set(c.getKey(), mergeByKey(cm.get(c.getKey()), c.getValue())));
                    out.set(key, cm);
                }
                case "table_metadata" -> {
                    ObjectNode tm = manifest.path(key).isObject() ? (ObjectNode) manifest.get(key).deepCopy() : Json.object();
                    if (v.isObject()) {
                        tm.setAll((ObjectNode) v);
                    }
                    out.set(key, tm);
                }
                case "schema" -> {
                    if (truthy(v)) {
                        ArrayNode schema = manifest.path(key).isArray() ? (ArrayNode) manifest.get(key).deepCopy() : Json.array();
                        for (JsonNode col : v) {
                            ObjectNode existing = null;
                            for (JsonNode c : schema) {
                                if (c.path("name").asText().equals(col.path("name").asText())) {
                                    existing = (ObjectNode) c;
                                }
                            }
                            if (existing == null) {
                                schema.add(col.deepCopy());
                            } else {
                                existing.setAll((ObjectNode) col.deepCopy());
                            }
                        }
                        out.set(key, schema);
                    }
                }
                default -> {
                    if (truthy(v)) {
                        out.set(key, v);
                    }
                }
            }
        }
        return out;
    }

    private static ArrayNode mergeByKey(JsonNode base, JsonNode over) {
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        if (base != null && base.isArray()) {
            base.forEach(m -> byKey.put(m.path("key").asText(), m));
        }
        if (over != null && over.isArray()) {
            over.forEach(m -> byKey.put(m.path("key").asText(), m));
        }
        ArrayNode a = Json.array();
        byKey.values().forEach(a::add);
        return a;
    }

    private static boolean truthy(JsonNode v) {
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual()) {
            return !v.asText().isEmpty() && !v.asText().equals("0");
        }
        if (v.isNumber()) {
            return v.asDouble() != 0;
        }
        return !v.isEmpty();
    }

    private List<String> webalize(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String w = n.equals("_timestamp") ? n : n.replaceAll("[^A-Za-z0-9_]", "_");
            if (SYSTEM_COLUMNS.contains(w.toLowerCase(Locale.ROOT))) {
                w = w + "_";
            }
            if (!w.equals(n)) {
                log.warn("Column name \"" + n + "\" was webalized to \"" + w + "\"");
            }
            out.add(w);
        }
        return out;
    }

    private List<String> normalizeKey(List<String> key) {
        Set<String> out = new LinkedHashSet<>();
        for (String k : key) {
            String t = k.trim();
            if (t.isEmpty()) {
                log.warn("Found empty column name in key array.");
            } else {
                out.add(t);
            }
        }
        return new ArrayList<>(out);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** A strict manifest (2.1: unknown keys are errors). */
    private ObjectNode readManifest(Path path, String kind, boolean table) {
        String prefix = "Failed to parse manifest file \"" + path + "\" as \"json\": ";
        JsonNode node;
        try {
            node = Json.read(path);
        } catch (IOException e) {
            throw new UserException(prefix + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new UserException(prefix + "Invalid type for path \"" + kind + "\". Expected \"array\", but got \""
                    + Json.typeName(node) + "\"");
        }
        ObjectNode m = (ObjectNode) node;
        if (table) {
            Config.validateOutputTable(m, kind, prefix);
        } else {
            Config.validateOutputFile(m, kind, prefix);
        }
        return m;
    }

    private static List<String> listNames(Path dir, boolean filesOnly) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !filesOnly || Files.isRegularFile(p))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ tables: loading (3.6)

    /**
     * Creates missing buckets, then loads every output in parallel (outputs into the same table one after another,
     * in order). Returns the written table ids.
     *
     * @throws UserException {@code Failed to load table "<id>": <message>} for each failed load, one per line
     */
    public List<String> loadTables(List<TableOutput> outputs) {
        Map<String, List<TableOutput>> byTable = new LinkedHashMap<>();
        for (TableOutput o : outputs) {
            byTable.computeIfAbsent(o.destination(), k -> new ArrayList<>()).add(o);
        }
        Set<String> buckets = new LinkedHashSet<>();
        byTable.keySet().forEach(t -> buckets.add(t.substring(0, t.lastIndexOf('.'))));
        for (String b : buckets) {
            ensureBucket(b);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, byTable.size())));
        List<String> errors = new ArrayList<>();
        List<String> written = new ArrayList<>();
        try {
            Map<String, Future<Void>> futures = new LinkedHashMap<>();
            for (Map.Entry<String, List<TableOutput>> e : byTable.entrySet()) {
                futures.put(e.getKey(), pool.submit(() -> {
                    for (TableOutput o : e.getValue()) {
                        load(o);
                    }
                    return null;
                }));
            }
            for (Map.Entry<String, Future<Void>> f : futures.entrySet()) {
                try {
                    InputMapping.await(f.getValue());
                    written.add(f.getKey());
                } catch (StorageApiException e) {
                    errors.add("Failed to load table \"" + f.getKey() + "\": " + e.getMessage());
                } catch (UserException | ApplicationException | UncheckedIOException e) {
                    errors.add("Failed to load table \"" + f.getKey() + "\": " + e.getMessage());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (!errors.isEmpty()) {
            throw new UserException(String.join("\n", errors));
        }
        return written;
    }

    private void ensureBucket(String bucketId) {
        try {
            client.getBucket(bucketId);
            return;
        } catch (StorageApiException e) {
            if (e.status() != 404) {
                throw new UserException("Cannot create bucket \"" + bucketId + "\" in Storage API: " + e.getMessage(), e);
            }
        }
        String[] parts = bucketId.split("\\.", 2);
        String stage = parts[0];
        String name = parts[1].startsWith("c-") ? parts[1].substring(2) : parts[1];
        try {
            client.createBucket(name, stage, null);
            log.info("Created bucket \"" + bucketId + "\".");
        } catch (StorageApiException e) {
            try {
                client.getBucket(bucketId); // created meanwhile by someone else: fine
            } catch (StorageApiException again) {
                throw new UserException("Cannot create bucket \"" + name + "\" in Storage API: " + e.getMessage(), e);
            }
        }
    }

    private void load(TableOutput o) throws IOException {
        boolean created = loadRows(o);
        // 3.6.6: system metadata (created on new tables, last updated always), then the component's own
        List<Map<String, String>> system = new ArrayList<>();
        for (String prefix : created ? List.of("KBC.createdBy.", "KBC.lastUpdatedBy.") : List.of("KBC.lastUpdatedBy.")) {
            system.add(Map.of("key", prefix + "component.id", "value", String.valueOf(context.componentId())));
            if (context.configId() != null) {
                system.add(Map.of("key", prefix + "configuration.id", "value", context.configId()));
            }
        }
        try {
            client.setTableMetadata(o.destination(), "system", system, Map.of());
            if (!o.metadata().isEmpty() || !o.columnMetadata().isEmpty()) {
                client.setTableMetadata(o.destination(), String.valueOf(context.componentId()), o.metadata(),
                        o.columnMetadata());
            }
        } catch (StorageApiException e) {
            throw new UserException("Failed to update metadata of table \"" + o.destination() + "\": " + e.getMessage(), e);
        }
    }

    /** Loads the rows; true when the table was created by this load. */
    private boolean loadRows(TableOutput o) throws IOException {
        Path temp = null;
        try {
            Path data = o.path();
            boolean headless = !o.columns().isEmpty() && !o.hasHeader();
            if (o.sliced()) {
                temp = concatSlices(o.path());
                data = temp;
                headless = true;
            }
            JsonNode existing = null;
            try {
                existing = client.getTable(o.destination());
            } catch (StorageApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
            String bucket = o.destination().substring(0, o.destination().lastIndexOf('.'));
            String name = o.destination().substring(o.destination().lastIndexOf('.') + 1);
            boolean empty = Files.size(data) == 0;
            if (existing == null && o.columns().isEmpty()) {
                // create from the file's own header (3.6.5 "create-from-file")
                long fileId = upload(data, o);
                client.createTableAsync(bucket, name, fileId, TableCreateOptions.defaults().primaryKey(o.primaryKey())
                        .delimiter(o.delimiter()).enclosure(o.enclosure()));
                log.info("Created table \"" + o.destination() + "\" from \"" + o.source() + "\".");
                return true;
            }
            if (existing == null) {
                createFromColumns(bucket, name, o);
            } else {
                changePrimaryKey(o, Json.strings(existing.get("primaryKey")));
                for (Map<String, Object> delete : o.deletes()) {
                    try {
                        Map<String, Object> request = resolveStorageValues(delete);
                        if (!matchesNothing(request)) {
                            client.deleteTableRows(o.destination(), request);
                        }
                    } catch (StorageApiException e) {
                        throw new UserException("Cannot delete rows from table \"" + o.destination() + "\" in Storage: "
                                + e.getMessage(), e);
                    }
                }
            }
            if (empty && existing == null) {
                return true; // a new table with columns and no rows (3.10: empty slice / empty dir)
            }
            TableImportOptions io = TableImportOptions.defaults().incremental(o.incremental()).delimiter(o.delimiter())
                    .enclosure(o.enclosure());
            if (headless) {
                io.columns(o.columns()).withoutHeaders(true);
            } else if (!o.columns().isEmpty()) {
                // has_header with columns: the file's first line is skipped and the configured columns name the data
                io.columns(o.columns()).withoutHeaders(false);
            }
            long fileId = upload(data, o);
            client.writeTableAsync(o.destination(), fileId, io);
            log.info("Loaded \"" + o.source() + "\" into table \"" + o.destination() + "\""
                    + (o.incremental() ? " (incremental)." : "."));
            return existing == null;
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static final String STORAGE_VALUES = "__valuesFromStorage";

    /** An {@code eq} filter on no values (an empty source table) selects no rows: nothing to delete. */
    @SuppressWarnings("unchecked")
    private static boolean matchesNothing(Map<String, Object> request) {
        if (!(request.get("whereFilters") instanceof List<?> filters)) {
            return false;
        }
        for (Object f : filters) {
            Map<String, Object> filter = (Map<String, Object>) f;
            if ("eq".equals(filter.get("operator")) && filter.get("values") instanceof List<?> v && v.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Replaces a {@code values_from_storage} marker in a delete request by the values of that table's column. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> resolveStorageValues(Map<String, Object> delete) throws IOException {
        Object filters = delete.get("whereFilters");
        if (!(filters instanceof List<?> list)) {
            return delete;
        }
        List<Map<String, Object>> resolved = new ArrayList<>();
        for (Object item : list) {
            Map<String, Object> f = new LinkedHashMap<>((Map<String, Object>) item);
            Object marker = f.remove(STORAGE_VALUES);
            if (marker != null) {
                String[] parts = marker.toString().split("\\|", 2);
                f.put("values", columnValues(parts[0], parts[1]));
            }
            resolved.add(f);
        }
        Map<String, Object> out = new LinkedHashMap<>(delete);
        out.put("whereFilters", resolved);
        return out;
    }

    /** The distinct values of one column of a Storage table (exported, read quote-aware). */
    private List<String> columnValues(String tableId, String column) throws IOException {
        Path csv = Files.createTempFile("granary-values-", ".csv");
        try {
            client.exportTable(tableId, csv, io.granary.client.TableExportOptions.defaults().columns(List.of(column)));
            LinkedHashSet<String> values = new LinkedHashSet<>();
            String text = Files.readString(csv);
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean header = true;
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (quoted) {
                    if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        field.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == '\n') {
                    if (!header) {
                        values.add(field.toString());
                    }
                    header = false;
                    field.setLength(0);
                } else if (ch != '\r') {
                    field.append(ch);
                }
            }
            return new ArrayList<>(values);
        } catch (StorageApiException e) {
            throw new UserException("Cannot read values from table \"" + tableId + "\" for delete_where: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    /** 3.6: a configured key that differs from the table's replaces it; a failure is a warning, not fatal. */
    private void changePrimaryKey(TableOutput o, List<String> current) {
        if (current.size() == o.primaryKey().size() && new LinkedHashSet<>(current).equals(new LinkedHashSet<>(o.primaryKey()))) {
            return;
        }
        log.warn("Modifying primary key of table \"" + o.destination() + "\" from \"" + String.join(", ", current)
                + "\" to \"" + String.join(", ", o.primaryKey()) + "\".");
        try {
            if (!current.isEmpty()) {
                client.removeTablePrimaryKey(o.destination());
            }
            if (!o.primaryKey().isEmpty()) {
                client.createTablePrimaryKey(o.destination(), o.primaryKey());
            }
        } catch (StorageApiException e) {
            log.warn("Error changing primary key of table \"" + o.destination() + "\": " + e.getMessage());
            if (!current.isEmpty()) {
                try {
                    client.createTablePrimaryKey(o.destination(), current);
                } catch (StorageApiException ignored) {
                    // the table keeps no key; the load still runs
                }
            }
        }
    }

    private void createFromColumns(String bucket, String name, TableOutput o) throws IOException {
        Path header = Files.createTempFile("granary-header-", ".csv");
        try {
            StringBuilder sb = new StringBuilder();
            for (String c : o.columns()) {
                sb.append(sb.length() == 0 ? "" : ",").append('"').append(c.replace("\"", "\"\"")).append('"');
            }
            Files.writeString(header, sb.append('\n').toString());
            long fileId = client.uploadFile(header, FileUploadOptions.defaults().name(name + ".header.csv").tags(o.tags()));
            client.createTableAsync(bucket, name, fileId, TableCreateOptions.defaults().primaryKey(o.primaryKey()));
            log.info("Created table \"" + o.destination() + "\".");
        } finally {
            Files.deleteIfExists(header);
        }
    }

    /** Uploads a table file: gzipped unless it already is (7.8), with the output's tags. */
    private long upload(Path data, TableOutput o) throws IOException {
        FileUploadOptions up = FileUploadOptions.defaults().compress(true).tags(o.tags());
        if (!data.getFileName().toString().equals(o.source())) {
            up.name(o.source() + ".gz");
        }
        return client.uploadFile(data, up);
    }

    /** The slices of a sliced table (each plain or gzip) as one header-less file. */
    private static Path concatSlices(Path dir) throws IOException {
        Path out = Files.createTempFile("granary-sliced-", ".csv");
        List<Path> slices;
        try (Stream<Path> s = Files.list(dir)) {
            slices = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        try (OutputStream os = Files.newOutputStream(out)) {
            for (Path slice : slices) {
                int last = -1;
                try (InputStream in = open(slice)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        os.write(buf, 0, n);
                        last = buf[n - 1];
                    }
                }
                if (last != -1 && last != '\n') {
                    os.write('\n');
                }
            }
        }
        return out;
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file));
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    // ------------------------------------------------------------------ files (3.8)

    /** Uploads everything in {@code out/files} with its tags plus the system tags; returns the new file ids. */
    public List<Long> uploadFiles(List<JsonNode> mapping) {
        List<String> names = listNames(folder.outFiles(), true);
        Set<String> files = new TreeSet<>();
        Set<String> manifests = new TreeSet<>();
        for (String n : names) {
            (n.endsWith(".manifest") ? manifests : files).add(n);
        }
        for (JsonNode m : mapping) {
            if (!files.contains(m.path("source").asText())) {
                throw new UserException("File '" + m.path("source").asText() + "' not found.");
            }
        }
        for (String m : manifests) {
            if (!files.contains(m.substring(0, m.length() - ".manifest".length()))) {
                throw new UserException("Found orphaned file manifest: '" + m + "'");
            }
        }
        Map<String, JsonNode> configs = new LinkedHashMap<>();
        for (String f : files) {
            JsonNode cfg = mapping.stream().filter(m -> f.equals(m.path("source").asText())).findFirst().orElse(null);
            Path manifest = folder.outFiles().resolve(f + ".manifest");
            if (cfg == null && Files.exists(manifest)) {
                cfg = readManifest(manifest, "file", false);
            }
            configs.put(f, cfg == null ? Json.object() : cfg);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, configs.size())));
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : configs.entrySet()) {
                futures.add(pool.submit(() -> uploadFile(e.getKey(), e.getValue())));
            }
            List<Long> ids = new ArrayList<>();
            for (Future<Long> f : futures) {
                ids.add(InputMapping.await(f));
            }
            return ids;
        } finally {
            pool.shutdownNow();
        }
    }

    private long uploadFile(String name, JsonNode cfg) {
        Set<String> tags = new LinkedHashSet<>(Json.strings(cfg.get("tags")));
        tags.add("componentId: " + context.componentId());
        if (context.configId() != null) {
            tags.add("configurationId: " + context.configId());
        }
        if (context.runId() != null) {
            tags.add("runId: " + context.runId());
        }
        try {
            long id = client.uploadFile(folder.outFiles().resolve(name), FileUploadOptions.defaults()
                    .tags(new ArrayList<>(tags)).isPermanent(cfg.path("is_permanent").asBoolean(false))
                    .isPublic(cfg.path("is_public").asBoolean(false)).isEncrypted(cfg.path("is_encrypted").asBoolean(true))
                    .notify(cfg.path("notify").asBoolean(false)));
            log.info("Uploaded file \"" + name + "\" as file " + id + ".");
            return id;
        } catch (IOException | RuntimeException e) {
            throw new UserException("Cannot upload file '" + name + "' to Storage API: " + e.getMessage(), e);
        }
    }
}
