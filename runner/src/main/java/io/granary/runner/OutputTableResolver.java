package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Resolves one output source with its manifest and mapping entry into a {@link TableOutput} (spec 3.3 – 3.5):
 * merge, native-types schema, column-name webalizing, key normalisation, destination, delete rules, metadata. Pure:
 * no Storage, no file system; warnings go to the log, errors are {@link UserException}s with Keboola's texts.
 */
public final class OutputTableResolver {

    private static final Set<String> SYSTEM_COLUMNS = Set.of("oid", "tableoid", "xmin", "cmin", "xmax", "cmax", "ctid");
    private static final String TIMESTAMP = "_timestamp";
    private static final Pattern NON_SPACING = Pattern.compile("\\p{Mn}+");
    private static final Pattern INVALID_RUN = Pattern.compile("[^A-Za-z0-9_]+");
    // letters that do not decompose into a base letter and accents
    private static final Map<Character, String> TRANSLITERATED = Map.of('đ', "d", 'Đ', "D", 'ł', "l", 'Ł', "L",
            'ß', "ss", 'æ', "ae", 'Æ', "AE", 'ø', "o", 'Ø', "O", 'œ', "oe");

    private final RunLog log;
    private final String defaultBucket;
    private final OutputStaging.Rules rules;

    /**
     * @param defaultBucket the bucket bare names go to (3.1), or null
     * @param rules         what the output staging changes in resolution
     */
    public OutputTableResolver(RunLog log, String defaultBucket, OutputStaging.Rules rules) {
        this.log = log;
        this.defaultBucket = defaultBucket;
        this.rules = rules;
    }

    /**
     * @param manifest the source's manifest as read strictly ({@code {}} when it has none)
     * @param mapping  the mapping entry naming the source, or null
     */
    public TableOutput resolve(OutputSource source, ObjectNode manifest, OutputTableMapping mapping) {
        String name = source.name();
        ObjectNode merged = mapping == null ? manifest : ManifestMerge.merge(manifest, mapping.json(), name);
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
        if (columns.isEmpty()) {
            columns.addAll(source.columns());
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

        if (!rules.dropsTimestampColumn()) {
            for (String c : concat(columns, columnMetadataKeys)) {
                if (isTimestamp(c)) {
                    throw new UserException("Failed to process mapping for table " + name
                            + ": System columns \"_timestamp\" cannot be imported to the table.");
                }
            }
        }
        if (source.sliced() && columns.isEmpty()) {
            throw new UserException("Sliced file \"" + name + "\" columns specification missing.");
        }
        List<DeleteRule> deletes = DeleteRule.of(prepare, merged, rules.workspaceId());
        List<Map<String, String>> metadata = tableMetadata(merged);
        Map<String, List<Map<String, String>>> columnMetadata = columnMetadata(merged);
        if (rules.dropsTimestampColumn()) {
            columns.removeIf(OutputTableResolver::isTimestamp);
            columnMetadata.keySet().removeIf(OutputTableResolver::isTimestamp);
        }
        return new TableOutput(name, source.sliced(), destination, columns, merged.path("has_header").asBoolean(false),
                primaryKey, merged.path("incremental").asBoolean(false), merged.path("delimiter").asText(","),
                merged.has("enclosure") ? merged.get("enclosure").asText() : "\"",
                merged.path("write_always").asBoolean(false), Json.strings(merged.get("tags")), deletes, metadata,
                columnMetadata);
    }

    private static boolean isTimestamp(String column) {
        return column.equalsIgnoreCase(TIMESTAMP);
    }

    /** Destination resolution, exactly spec 3.4. */
    private String destination(String source, OutputTableMapping mapping, ObjectNode merged) {
        String failed = "Failed to resolve destination for output table \"" + source + "\".";
        String d;
        String mapped = mapping == null ? "" : mapping.destination();
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
            } else if (defaultBucket != null) {
                d = defaultBucket + "." + d;
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

    private List<String> webalize(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            // system columns stay as they are, for the check below to refuse or drop them
            String w = isTimestamp(n) ? n : sanitize(n);
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

    /**
     * The output mapping's column name sanitising: letters lose their accents, every run of characters outside
     * {@code [A-Za-z0-9_]} becomes one {@code _}, and underscores at either end go ({@code " Id "} is {@code Id},
     * {@code "webalize | test 😁"} is {@code webalize_test}).
     */
    static String sanitize(String name) {
        String ascii = NON_SPACING.matcher(Normalizer.normalize(name, Normalizer.Form.NFKD)).replaceAll("");
        StringBuilder b = new StringBuilder(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            String t = TRANSLITERATED.get(c);
            b.append(t != null ? t : c);
        }
        String w = INVALID_RUN.matcher(b).replaceAll("_");
        int from = 0;
        int to = w.length();
        while (from < to && w.charAt(from) == '_') {
            from++;
        }
        while (to > from && w.charAt(to - 1) == '_') {
            to--;
        }
        return w.substring(from, to);
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
}
