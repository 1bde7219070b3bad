package io.granary.runner;

import static io.granary.runner.ConfigSchema.PREFIX;
import static io.granary.runner.ConfigSchema.defaultArray;
import static io.granary.runner.ConfigSchema.expect;
import static io.granary.runner.ConfigSchema.item;
import static io.granary.runner.ConfigSchema.keys;
import static io.granary.runner.ConfigSchema.putDefault;
import static io.granary.runner.ConfigSchema.type;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A component configuration (spec 1.3): parsed strictly (unknown keys and wrong types are user errors naming the
 * key, as Keboola's {@code Error in configuration: …}), then normalised so every mapping item carries its defaults
 * (spec 3.1, 8.4), and handed out as typed records: {@link InputTableMapping}, {@link InputFileMapping},
 * {@link OutputTableMapping}, {@link OutputFileMapping}. The strict-schema helpers are in {@link ConfigSchema}.
 */
public final class Config {

    private static final Set<String> ROOT = Set.of("storage", "parameters", "image_parameters", "authorization", "action",
            "shared_code_row_ids", "variables_id", "variables_values_id", "shared_code_id", "artifacts", "runtime",
            "processors");
    private static final Set<String> STORAGE = Set.of("input", "output");
    private static final Set<String> INPUT = Set.of("read_only_storage_access", "tables", "files");
    private static final Set<String> OUTPUT = Set.of("default_bucket", "data_type_support", "table_modifications",
            "treat_values_as_null", "tables", "files", "table_files");
    private static final Set<String> IN_TABLE = Set.of("source", "destination", "columns", "column_types", "where_column",
            "where_values", "where_operator", "changed_since", "days", "limit", "overwrite", "load_type", "use_view",
            "keep_internal_timestamp_column", "source_branch_id", "file_type");
    private static final Set<String> IN_FILE = Set.of("tags", "source", "query", "file_ids", "limit", "changed_since",
            "processed_tags", "overwrite");

    private final ObjectNode json;

    private Config(ObjectNode json) {
        this.json = json;
    }

    public static Config parse(Path file) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new UserException(PREFIX + "Cannot read \"" + file + "\" as JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
        } catch (IOException e) {
            throw new UserException(PREFIX + "Cannot read \"" + file + "\": " + e.getMessage(), e);
        }
        return parse(node);
    }

    public static Config parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw type("container", "array", node);
        }
        ObjectNode root = node.deepCopy();
        keys(root, ROOT, "container");
        expect(root, "parameters", "container", "object");
        expect(root, "image_parameters", "container", "object");
        expect(root, "authorization", "container", "object");
        expect(root, "storage", "container", "object");
        expect(root, "action", "container", "string");
        expect(root, "shared_code_row_ids", "container", "array");
        expect(root, "runtime", "container", "object");
        expect(root, "processors", "container", "object");
        ObjectNode storage = root.hasNonNull("storage") ? (ObjectNode) root.get("storage") : Json.object();
        keys(storage, STORAGE, "container.storage");
        expect(storage, "input", "container.storage", "object");
        expect(storage, "output", "container.storage", "object");
        if (storage.hasNonNull("input")) {
            normalizeInput((ObjectNode) storage.get("input"));
        }
        if (storage.hasNonNull("output")) {
            normalizeOutput((ObjectNode) storage.get("output"));
        }
        root.set("storage", storage);
        return new Config(root);
    }

    private static void normalizeInput(ObjectNode input) {
        String at = "container.storage.input";
        keys(input, INPUT, at);
        expect(input, "tables", at, "array");
        expect(input, "files", at, "array");
        int i = 0;
        for (JsonNode t : input.path("tables")) {
            String p = at + ".tables." + i++;
            ObjectNode table = item(t, p);
            keys(table, IN_TABLE, p);
            expect(table, "source", p, "string");
            expect(table, "destination", p, "string");
            expect(table, "columns", p, "array");
            expect(table, "column_types", p, "array");
            expect(table, "where_column", p, "string");
            expect(table, "where_values", p, "array");
            expect(table, "where_operator", p, "string");
            expect(table, "changed_since", p, "string");
            expect(table, "days", p, "int");
            expect(table, "limit", p, "int");
            expect(table, "overwrite", p, "bool");
            String source = table.path("source").asText("");
            if (source.isEmpty()) {
                throw new UserException(PREFIX + "The \"source\" must be configured.");
            }
            if (table.path("destination").asText("").isEmpty()) {
                table.put("destination", source); // spec 1.3.1 + 8.4: named exactly like the source
            }
            defaultArray(table, "columns");
            defaultArray(table, "column_types");
            defaultArray(table, "where_values");
            String op = table.path("where_operator").asText("");
            if (!op.isEmpty() && !op.equals("eq") && !op.equals("ne")) {
                throw new UserException(PREFIX + "The value \"" + op + "\" is not allowed for path \"" + p
                        + ".where_operator\". Permissible values: \"eq\", \"ne\"");
            }
            table.put("where_operator", op.isEmpty() ? "eq" : op);
            boolean hasColumn = !table.path("where_column").asText("").isEmpty();
            boolean hasValues = !table.get("where_values").isEmpty();
            if (hasColumn && !hasValues) {
                throw new UserException(PREFIX + "When \"where_column\" is set, \"where_values\" must be provided.");
            }
            if (!hasColumn && hasValues) {
                throw new UserException(PREFIX + "When \"where_values\" is set, \"where_column\" must be provided.");
            }
            if (table.hasNonNull("days") && table.get("days").asInt() != 0 && !table.path("changed_since").asText("").isEmpty()) {
                throw new UserException(PREFIX + "Cannot set both parameters \"days\" and \"changed_since\".");
            }
            if (!table.hasNonNull("changed_since")) {
                table.put("changed_since", "");
            }
            if (!table.hasNonNull("days")) {
                table.put("days", 0);
            }
            if (!table.hasNonNull("overwrite")) {
                table.put("overwrite", false);
            }
            if (!table.hasNonNull("keep_internal_timestamp_column")) {
                table.put("keep_internal_timestamp_column", true);
            }
            List<String> columns = Json.strings(table.get("columns"));
            ArrayNode types = (ArrayNode) table.get("column_types");
            List<String> typed = new ArrayList<>();
            int j = 0;
            for (JsonNode ct : types) {
                String cp = p + ".column_types." + j++;
                ObjectNode c = item(ct, cp);
                if (c.path("source").asText("").isEmpty()) {
                    throw new UserException(PREFIX + "The child config \"source\" under \"" + cp + "\" must be configured.");
                }
                typed.add(c.get("source").asText());
                for (String k : List.of("type", "destination", "length", "nullable", "convert_empty_values_to_null",
                        "compression")) {
                    if (!c.has(k)) {
                        c.putNull(k); // spec 8.4: column_types items carry all six keys
                    }
                }
            }
            if (columns.isEmpty() && !typed.isEmpty()) {
                table.set("columns", Json.toArray(typed));
            } else if (!columns.isEmpty() && !typed.isEmpty()) {
                List<String> surplus = new ArrayList<>(columns);
                surplus.removeAll(typed);
                if (!surplus.isEmpty()) {
                    throw new UserException(PREFIX + "Both \"columns\" and \"column_types\" are specified, \"columns\" field"
                            + " contains surplus columns: \"" + String.join("\", \"", surplus) + "\".");
                }
                List<String> surplusTypes = new ArrayList<>(typed);
                surplusTypes.removeAll(columns);
                if (!surplusTypes.isEmpty()) {
                    throw new UserException(PREFIX + "Both \"columns\" and \"column_types\" are specified, \"column_types\""
                            + " field contains surplus columns: \"" + String.join("\", \"", surplusTypes) + "\".");
                }
            }
        }
        i = 0;
        for (JsonNode f : input.path("files")) {
            String p = at + ".files." + i++;
            ObjectNode file = item(f, p);
            keys(file, IN_FILE, p);
            expect(file, "tags", p, "array");
            expect(file, "source", p, "object");
            expect(file, "query", p, "string");
            expect(file, "file_ids", p, "array");
            expect(file, "limit", p, "int");
            expect(file, "changed_since", p, "string");
            expect(file, "processed_tags", p, "array");
            expect(file, "overwrite", p, "bool");
            boolean tags = file.hasNonNull("tags") && !file.get("tags").isEmpty();
            boolean sourceTags = file.path("source").path("tags").isArray() && !file.path("source").path("tags").isEmpty();
            boolean query = !file.path("query").asText("").isEmpty();
            boolean ids = file.hasNonNull("file_ids") && !file.get("file_ids").isEmpty();
            if (!tags && !sourceTags && !query && !ids) {
                throw new UserException(PREFIX + "At least one of \"tags\", \"source.tags\", \"query\" or \"file_ids\""
                        + " parameters must be defined.");
            }
            if (tags && sourceTags) {
                throw new UserException(PREFIX + "Both \"tags\" and \"source.tags\" cannot be defined.");
            }
            if (query && !file.path("changed_since").asText("").isEmpty()) {
                throw new UserException(PREFIX + "Both \"query\" and \"changed_since\" cannot be defined.");
            }
            if (file.has("overwrite") && !file.get("overwrite").asBoolean()) {
                throw new UserException("Overwrite cannot be turned off for local mapping.");
            }
            if (sourceTags) {
                int k = 0;
                for (JsonNode st : file.path("source").path("tags")) {
                    String sp = p + ".source.tags." + k++;
                    ObjectNode tag = item(st, sp);
                    keys(tag, Set.of("name", "match"), sp);
                    if (tag.path("name").asText("").isEmpty()) {
                        throw new UserException(PREFIX + "The child config \"name\" under \"" + sp + "\" must be configured.");
                    }
                    String match = tag.path("match").asText("include");
                    if (!match.equals("include") && !match.equals("exclude")) {
                        throw new UserException(PREFIX + "The value \"" + match + "\" is not allowed for path \"" + sp
                                + ".match\". Permissible values: \"include\", \"exclude\"");
                    }
                    tag.put("match", match);
                }
            }
            defaultArray(file, "tags"); // spec 8.4: keep tags, even []
            if (!file.has("overwrite")) {
                file.put("overwrite", true);
            }
        }
    }

    private static void normalizeOutput(ObjectNode output) {
        String at = "container.storage.output";
        keys(output, OUTPUT, at);
        expect(output, "default_bucket", at, "string");
        expect(output, "tables", at, "array");
        expect(output, "files", at, "array");
        int i = 0;
        for (JsonNode t : output.path("tables")) {
            String p = at + ".tables." + i++;
            ObjectNode table = item(t, p);
            ConfigSchema.validateOutputTable(table, p, PREFIX);
            if (!table.hasNonNull("source") || table.get("source").asText().isEmpty()) {
                throw new UserException(PREFIX + "The child config \"source\" under \"" + p + "\" must be configured.");
            }
            // spec 3.1: a normalised mapping always carries these defaults (they matter for the merge of 3.3)
            putDefault(table, "destination", "");
            putDefault(table, "incremental", false);
            defaultArray(table, "primary_key");
            defaultArray(table, "columns");
            putDefault(table, "delimiter", ",");
            putDefault(table, "enclosure", "\"");
            defaultArray(table, "metadata");
            if (!table.hasNonNull("column_metadata")) {
                table.set("column_metadata", Json.object());
            }
            putDefault(table, "write_always", false);
            defaultArray(table, "tags");
            defaultArray(table, "schema");
            defaultArray(table, "distribution_key");
            defaultArray(table, "delete_where_values");
            String op = table.path("delete_where_operator").asText("");
            table.put("delete_where_operator", op.isEmpty() ? "eq" : op);
        }
        i = 0;
        for (JsonNode f : output.path("files")) {
            String p = at + ".files." + i++;
            ObjectNode file = item(f, p);
            ConfigSchema.validateOutputFile(file, p, PREFIX);
            if (file.path("source").asText("").isEmpty()) {
                throw new UserException(PREFIX + "The child config \"source\" under \"" + p + "\" must be configured.");
            }
            defaultArray(file, "tags");
            putDefault(file, "is_public", false);
            putDefault(file, "is_permanent", false);
            putDefault(file, "is_encrypted", true);
            putDefault(file, "notify", false);
        }
    }

    // ------------------------------------------------------------------ accessors

    /** The whole normalised configuration (a copy). */
    public ObjectNode json() {
        return json.deepCopy();
    }

    public JsonNode parameters() {
        return json.path("parameters");
    }

    public String action() {
        return json.path("action").asText("run");
    }

    public List<InputTableMapping> inputTables() {
        return list(json.path("storage").path("input").path("tables"), InputTableMapping::of);
    }

    public List<InputFileMapping> inputFiles() {
        return list(json.path("storage").path("input").path("files"), InputFileMapping::of);
    }

    public List<OutputTableMapping> outputTables() {
        return list(json.path("storage").path("output").path("tables"), OutputTableMapping::of);
    }

    public List<OutputFileMapping> outputFiles() {
        return list(json.path("storage").path("output").path("files"), OutputFileMapping::of);
    }

    /** {@code storage.input.read_only_storage_access} (a workspace staging may grant it, spec 5.1). */
    public boolean readOnlyStorageAccess() {
        return json.path("storage").path("input").path("read_only_storage_access").asBoolean(false);
    }

    /** {@code storage.output.default_bucket}, or null when empty. */
    public String defaultBucket() {
        String b = json.path("storage").path("output").path("default_bucket").asText("");
        return b.isEmpty() ? null : b;
    }

    private static <T> List<T> list(JsonNode array, Function<JsonNode, T> typed) {
        List<T> out = new ArrayList<>();
        array.forEach(item -> out.add(typed.apply(item)));
        return out;
    }

    /**
     * config.json as the component gets it (spec 1.3): {@code runtime} and {@code processors} removed, empty
     * {@code storage}, {@code parameters}, {@code image_parameters}, {@code authorization} as {@code {}}, {@code action}
     * always set.
     */
    public ObjectNode componentJson() {
        ObjectNode out = Json.object();
        out.set("storage", json.hasNonNull("storage") ? json.get("storage").deepCopy() : Json.object());
        for (String k : List.of("parameters", "image_parameters", "authorization")) {
            out.set(k, json.hasNonNull(k) ? json.get(k).deepCopy() : Json.object());
        }
        out.put("action", action());
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) json::fields) {
            if (!out.has(e.getKey()) && !e.getKey().equals("runtime") && !e.getKey().equals("processors")) {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    /** Writes {@link #componentJson()} to the data folder's config.json. */
    public void writeTo(DataFolder folder) {
        writeTo(folder, Json.object());
    }

    /**
     * Writes {@link #componentJson()} to the data folder's config.json with {@code authorization} extended by the
     * staging's entries (a workspace staging adds {@code authorization.workspace}, spec 5.3).
     */
    public void writeTo(DataFolder folder, ObjectNode authorization) {
        ObjectNode out = componentJson();
        if (!authorization.isEmpty()) {
            ((ObjectNode) out.get("authorization")).setAll(authorization.deepCopy());
        }
        Json.write(folder.configFile(), out);
    }

    /** Every value under a key starting with {@code #}, at any depth (spec 1.3, 1.5). */
    public Set<String> secrets() {
        Set<String> out = new LinkedHashSet<>();
        collectSecrets(json, false, out);
        return out;
    }

    static void collectSecrets(JsonNode node, boolean secret, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> collectSecrets(e.getValue(), secret || e.getKey().startsWith("#"), out));
        } else if (node.isArray()) {
            node.forEach(v -> collectSecrets(v, secret, out));
        } else if (secret && !node.isNull() && !node.asText().isEmpty()) {
            out.add(node.asText());
        }
    }
}
