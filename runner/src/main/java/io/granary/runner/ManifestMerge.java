package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The merge of an output manifest with its mapping entry, key by key as Keboola's
 * {@code ConfigurationMerger::mergeConfigurations(manifest, mapping)} (spec 3.3): a default-valued mapping key never
 * overrides the manifest, a mapping {@code primary_key} (even {@code []}) replaces the manifest's, metadata merge by
 * key, {@code schema} columns by name; anything else from the mapping wins when it is not empty.
 */
final class ManifestMerge {

    private ManifestMerge() {
    }

    /** The manifest with the mapping merged in; neither is changed. */
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
}
