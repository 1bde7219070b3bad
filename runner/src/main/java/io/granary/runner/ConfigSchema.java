package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The strict schema of config.json items and output manifests (spec 1.3, 2.3, 7.2): unknown keys and wrong types
 * are user errors naming the path, worded as Keboola's Symfony-config messages.
 */
final class ConfigSchema {

    static final String PREFIX = "Error in configuration: ";
    private static final Set<String> OUT_TABLE = Set.of("source", "destination", "incremental", "primary_key", "distribution_key",
            "columns", "delimiter", "enclosure", "delete_where_column", "delete_where_values", "delete_where_operator",
            "delete_where", "write_always", "metadata", "column_metadata", "tags", "schema", "table_metadata",
            "description", "manifest_type", "has_header", "deduplication_strategy", "unload_strategy");
    private static final Set<String> OUT_FILE = Set.of("source", "tags", "is_public", "is_permanent", "is_encrypted", "notify");

    private ConfigSchema() {
    }

    /** Strict schema of an output table mapping item or manifest (spec 1.3.3, 2.3). */
    static void validateOutputTable(ObjectNode table, String path, String prefix) {
        try {
            keys(table, OUT_TABLE, path);
            expect(table, "source", path, "string");
            expect(table, "destination", path, "string");
            expect(table, "incremental", path, "bool");
            expect(table, "primary_key", path, "array");
            expect(table, "distribution_key", path, "array");
            expect(table, "columns", path, "array");
            expect(table, "delimiter", path, "string");
            expect(table, "enclosure", path, "string");
            expect(table, "delete_where_column", path, "string");
            expect(table, "delete_where_values", path, "array");
            expect(table, "delete_where_operator", path, "string");
            expect(table, "delete_where", path, "array");
            expect(table, "write_always", path, "bool");
            expect(table, "metadata", path, "array");
            expect(table, "column_metadata", path, "object");
            expect(table, "tags", path, "array");
            expect(table, "schema", path, "array");
            expect(table, "table_metadata", path, "object");
            expect(table, "description", path, "string");
            expect(table, "has_header", path, "bool");
            String op = table.path("delete_where_operator").asText("");
            if (!op.isEmpty() && !op.equals("eq") && !op.equals("ne")) {
                throw new UserException("The value \"" + op + "\" is not allowed for path \"" + path
                        + ".delete_where_operator\". Permissible values: \"eq\", \"ne\"");
            }
        } catch (UserException e) {
            throw new UserException(prefix + e.getMessage().replace(PREFIX, ""), e);
        }
    }

    /** Strict schema of an output file mapping item or manifest (spec 1.3.4, 2.5). */
    static void validateOutputFile(ObjectNode file, String path, String prefix) {
        try {
            keys(file, OUT_FILE, path);
            expect(file, "source", path, "string");
            expect(file, "tags", path, "array");
            expect(file, "is_public", path, "bool");
            expect(file, "is_permanent", path, "bool");
            expect(file, "is_encrypted", path, "bool");
            expect(file, "notify", path, "bool");
        } catch (UserException e) {
            throw new UserException(prefix + e.getMessage().replace(PREFIX, ""), e);
        }
    }

    /**
     * Reads an output manifest strictly (2.1: unknown keys are errors).
     *
     * @param table true for {@code out/tables/*.manifest}, false for {@code out/files/*.manifest}
     * @throws UserException {@code Failed to parse manifest file "<path>" as "json": <reason>}
     */
    static ObjectNode readOutputManifest(Path path, boolean table) {
        String kind = table ? "table" : "file";
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
            validateOutputTable(m, kind, prefix);
        } else {
            validateOutputFile(m, kind, prefix);
        }
        return m;
    }

    // ------------------------------------------------------------------ schema helpers

    static ObjectNode item(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw type(path, "array", node);
        }
        return (ObjectNode) node;
    }

    static void keys(ObjectNode node, Set<String> allowed, String path) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!allowed.contains(k)) {
                Set<String> sorted = new TreeSet<>(allowed);
                throw new UserException(PREFIX + "Unrecognized option \"" + k + "\" under \"" + path
                        + "\". Available options are \"" + String.join("\", \"", sorted) + "\".");
            }
        }
    }

    static void expect(ObjectNode node, String key, String path, String kind) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return;
        }
        boolean ok = switch (kind) {
            case "object" -> v.isObject() || (v.isArray() && v.isEmpty()); // PHP writes {} as []
            case "array" -> v.isArray();
            case "string" -> v.isTextual() || v.isNumber();
            case "bool" -> v.isBoolean();
            case "int" -> v.isIntegralNumber();
            default -> true;
        };
        if (!ok) {
            throw type(path + "." + key, kind.equals("object") || kind.equals("array") ? "array" : kind, v);
        }
        if (kind.equals("object") && v.isArray()) {
            node.set(key, Json.object());
        }
    }

    static UserException type(String path, String expected, JsonNode actual) {
        return new UserException(PREFIX + "Invalid type for path \"" + path + "\". Expected \"" + expected
                + "\", but got \"" + Json.typeName(actual) + "\".");
    }

    static void defaultArray(ObjectNode node, String key) {
        if (!node.hasNonNull(key)) {
            node.set(key, Json.array());
        }
    }

    static void putDefault(ObjectNode node, String key, Object value) {
        if (node.hasNonNull(key)) {
            return;
        }
        if (value instanceof Boolean b) {
            node.put(key, b);
        } else {
            node.put(key, (String) value);
        }
    }
}
