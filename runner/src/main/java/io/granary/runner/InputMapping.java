package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import io.granary.client.TableExportOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Input mapping (spec 4.1, 4.3): tables and files from Storage into {@code in/tables} and {@code in/files}. */
public final class InputMapping {

    private static final int FILE_PAGE = 100;
    private static final Pattern RELATIVE = Pattern.compile("^-?\\s*(\\d+)\\s*(second|minute|hour|day|week)s?$");

    private final StorageClient client;
    private final DataFolder folder;
    private final RunLog log;
    private final int parallelism;

    public InputMapping(StorageClient client, DataFolder folder, RunLog log, int parallelism) {
        this.client = client;
        this.folder = folder;
        this.log = log;
        this.parallelism = Math.max(1, parallelism);
    }

    /**
     * Exports every table mapping into {@code in/tables/<destination>} (CSV with header) plus its manifest.
     *
     * @param previousTableStates {@code state.storage.input.tables} of the previous run (for {@code adaptive})
     * @return the new table states {@code [{source, lastImportDate}]}
     */
    public ArrayNode downloadTables(List<JsonNode> tables, JsonNode previousTableStates) {
        Map<String, String> lastImport = new LinkedHashMap<>();
        if (previousTableStates != null) {
            previousTableStates.forEach(s -> lastImport.put(s.path("source").asText(), s.path("lastImportDate").asText(null)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, tables.size())));
        try {
            List<Future<ObjectNode>> futures = new ArrayList<>();
            for (JsonNode t : tables) {
                futures.add(pool.submit(() -> downloadTable(t, lastImport.get(t.get("source").asText()))));
            }
            ArrayNode states = Json.array();
            for (Future<ObjectNode> f : futures) {
                states.add(await(f));
            }
            return states;
        } finally {
            pool.shutdownNow();
        }
    }

    private ObjectNode downloadTable(JsonNode mapping, String previousImport) throws IOException {
        String source = mapping.get("source").asText();
        JsonNode table;
        try {
            table = client.getTable(source);
        } catch (StorageApiException e) {
            throw new UserException("Cannot import data from Storage API: " + e.getMessage(), e);
        }
        TableExportOptions o = TableExportOptions.defaults();
        List<String> columns = Json.strings(mapping.get("columns"));
        if (!columns.isEmpty()) {
            o.columns(columns);
        } else {
            columns = Json.strings(table.get("columns"));
        }
        List<String> whereValues = Json.strings(mapping.get("where_values"));
        if (!whereValues.isEmpty()) {
            o.where(mapping.get("where_column").asText(), whereValues, mapping.path("where_operator").asText("eq"));
        }
        String changedSince = mapping.path("changed_since").asText("");
        int days = mapping.path("days").asInt(0);
        if (days > 0) {
            o.changedSince("-" + days + " days");
        } else if ("adaptive".equals(changedSince)) {
            if (previousImport != null && !previousImport.isEmpty()) {
                o.changedSince(previousImport);
            }
        } else if (!changedSince.isEmpty()) {
            o.changedSince(changedSince);
        }
        if (mapping.hasNonNull("limit")) {
            o.limit(mapping.get("limit").asLong());
        }
        String destination = mapping.get("destination").asText();
        Path target = safeChild(folder.inTables(), destination);
        try {
            client.exportTable(source, target, o);
        } catch (StorageApiException e) {
            throw new UserException("Cannot import data from Storage API: " + e.getMessage(), e);
        }
        Json.write(target.resolveSibling(target.getFileName() + ".manifest"), tableManifest(table, columns));
        log.info("Fetched table \"" + source + "\" into \"" + destination + "\".");
        ObjectNode state = Json.object();
        state.put("source", source);
        state.put("lastImportDate", table.path("lastImportDate").asText(""));
        return state;
    }

    /** The manifest of spec 2.2 with the date format of 8.3; never {@code schema} (8.3). */
    ObjectNode tableManifest(JsonNode table, List<String> columns) {
        ObjectNode m = Json.object();
        String id = table.path("id").asText();
        m.put("id", id);
        m.put("uri", table.hasNonNull("uri") ? table.get("uri").asText() : client.host() + "/v2/storage/tables/" + id);
        m.put("name", table.path("name").asText());
        m.set("primary_key", Json.toArray(Json.strings(table.get("primaryKey"))));
        m.set("distribution_key", Json.toArray(Json.strings(table.get("distributionKey"))));
        m.put("created", Json.keboolaTime(table.path("created").asText(null)));
        m.put("last_change_date", Json.keboolaTime(table.path("lastChangeDate").asText(null)));
        m.put("last_import_date", Json.keboolaTime(table.path("lastImportDate").asText(null)));
        String description = null;
        ArrayNode metadata = Json.array();
        for (JsonNode md : table.path("metadata")) {
            metadata.add(metadataEntry(md));
            if ("KBC.description".equals(md.path("key").asText())) {
                description = md.path("value").asText();
            }
        }
        if (description != null && !description.isEmpty()) {
            m.put("description", description);
        }
        m.set("columns", Json.toArray(columns));
        m.set("metadata", metadata);
        ObjectNode columnMetadata = Json.object();
        JsonNode cm = table.path("columnMetadata");
        for (String c : columns) {
            ArrayNode entries = columnMetadata.putArray(c);
            cm.path(c).forEach(md -> entries.add(metadataEntry(md)));
        }
        m.set("column_metadata", columnMetadata);
        return m;
    }

    private static ObjectNode metadataEntry(JsonNode md) {
        ObjectNode e = Json.object();
        e.put("id", md.path("id").asText());
        e.put("key", md.path("key").asText());
        e.put("value", md.path("value").asText());
        e.put("provider", md.path("provider").asText());
        e.put("timestamp", Json.keboolaTime(md.path("timestamp").asText(null)));
        return e;
    }

    // ------------------------------------------------------------------ files

    /**
     * What the file input mapping did: the adaptive states for the next run ({@code [{tags, lastImportId}]}, 4.2)
     * and, per matched file, the {@code processed_tags} to add after a successful run.
     */
    public record FilesResult(ArrayNode states, Map<Long, List<String>> processedTags) {
    }

    /** Downloads every file mapping into {@code in/files/<id>_<name>} plus manifests (spec 4.3, 2.4). */
    public FilesResult downloadFiles(List<JsonNode> mappings, JsonNode previousStates) throws IOException {
        Map<Long, JsonNode> files = new LinkedHashMap<>();
        ArrayNode states = Json.array();
        Map<Long, List<String>> processed = new LinkedHashMap<>();
        for (JsonNode mapping : mappings) {
            JsonNode identity = identity(mapping);
            Long lastImportId = null;
            for (JsonNode s : previousStates == null ? Json.array() : previousStates) {
                if (s.path("tags").equals(identity)) {
                    lastImportId = s.path("lastImportId").asLong();
                }
            }
            boolean adaptive = "adaptive".equals(mapping.path("changed_since").asText(""));
            long newest = lastImportId == null ? -1 : lastImportId;
            List<JsonNode> found = findFiles(mapping, adaptive ? lastImportId : null);
            for (JsonNode f : found) {
                long id = f.get("id").asLong();
                files.putIfAbsent(id, f);
                newest = Math.max(newest, id);
                for (String tag : Json.strings(mapping.get("processed_tags"))) {
                    processed.computeIfAbsent(id, k -> new ArrayList<>()).add(tag);
                }
            }
            if (identity != null && newest >= 0) {
                ObjectNode state = states.addObject();
                state.set("tags", identity);
                state.put("lastImportId", newest);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, files.size())));
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (JsonNode f : files.values()) {
                futures.add(pool.submit(() -> {
                    downloadFile(f);
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                await(f);
            }
        } finally {
            pool.shutdownNow();
        }
        return new FilesResult(states, processed);
    }

    /** The key of a file mapping's adaptive state: {@code tags} as {@code [{name}]}, or {@code source.tags} as written. */
    private static JsonNode identity(JsonNode mapping) {
        if (mapping.path("source").path("tags").isArray() && !mapping.path("source").path("tags").isEmpty()) {
            return mapping.path("source").path("tags");
        }
        if (mapping.path("tags").isArray() && !mapping.path("tags").isEmpty()) {
            ArrayNode out = Json.array();
            mapping.get("tags").forEach(t -> out.addObject().put("name", t.asText()));
            return out;
        }
        return null;
    }

    List<JsonNode> findFiles(JsonNode mapping) {
        return findFiles(mapping, null);
    }

    /** Files of one mapping; with {@code sinceId}, only files with a greater id (adaptive, 4.2). */
    List<JsonNode> findFiles(JsonNode mapping, Long sinceId) {
        String query = mapping.path("query").asText("");
        java.util.function.Predicate<JsonNode> matches = query.isEmpty() ? f -> true : FileQuery.parse(query);
        int limit = mapping.hasNonNull("limit") ? mapping.get("limit").asInt() : 100;
        String changedSince = mapping.path("changed_since").asText("");
        Instant since = changedSince.isEmpty() || changedSince.equals("adaptive") ? null : parseChangedSince(changedSince);
        List<JsonNode> out = new ArrayList<>();
        if (mapping.hasNonNull("file_ids") && !mapping.get("file_ids").isEmpty()) {
            for (JsonNode id : mapping.get("file_ids")) {
                try {
                    out.add(client.getFile(id.asLong(), false));
                } catch (StorageApiException e) {
                    throw new UserException("Cannot import file " + id.asText() + " from Storage API: " + e.getMessage(), e);
                }
            }
            return out;
        }
        Set<String> include = new LinkedHashSet<>(Json.strings(mapping.get("tags")));
        Set<String> exclude = new LinkedHashSet<>();
        for (JsonNode st : mapping.path("source").path("tags")) {
            ("exclude".equals(st.path("match").asText()) ? exclude : include).add(st.path("name").asText());
        }
        // Storage's tags[] filter matches ANY tag; the mapping wants ALL: list by one tag, filter the rest here
        List<String> listBy = include.isEmpty() ? List.of() : List.of(include.iterator().next());
        for (int offset = 0; out.size() < limit; offset += FILE_PAGE) {
            JsonNode page = client.listFiles(listBy, FILE_PAGE, offset);
            for (JsonNode f : page) {
                Set<String> tags = new LinkedHashSet<>(Json.strings(f.get("tags")));
                if (!tags.containsAll(include) || tags.stream().anyMatch(exclude::contains) || !matches.test(f)) {
                    continue;
                }
                if (sinceId != null && f.get("id").asLong() <= sinceId) {
                    continue;
                }
                if (since != null && OffsetDateTime.parse(normalizeOffset(f.path("created").asText())).toInstant().isBefore(since)) {
                    continue;
                }
                out.add(f);
                if (out.size() >= limit) {
                    break;
                }
            }
            if (page.size() < FILE_PAGE) {
                break;
            }
        }
        return out;
    }

    private void downloadFile(JsonNode file) throws IOException {
        long id = file.get("id").asLong();
        String name = file.path("name").asText();
        String fileName = id + "_" + name;
        Path target = safeChild(folder.inFiles(), fileName);
        try {
            if (file.path("isSliced").asBoolean(false)) {
                // a sliced file is a folder of its slices, each under its own name (spec 4.3)
                client.downloadSlices(id, target, null);
            } else {
                client.downloadFile(id, target);
            }
        } catch (StorageApiException | IOException e) {
            throw new UserException("Failed to download file " + name + " (" + id + "): " + e.getMessage(), e);
        }
        ObjectNode m = Json.object();
        m.put("id", id);
        m.put("name", name);
        m.put("created", Json.keboolaTime(file.path("created").asText(null)));
        m.put("is_public", file.path("isPublic").asBoolean(false));
        m.put("is_encrypted", file.path("isEncrypted").asBoolean(false));
        m.put("is_sliced", file.path("isSliced").asBoolean(false));
        m.set("tags", Json.toArray(Json.strings(file.get("tags"))));
        m.put("max_age_days", file.path("maxAgeDays").isNull() ? 0 : file.path("maxAgeDays").asLong(0));
        m.put("size_bytes", file.path("sizeBytes").asLong(0));
        Json.write(folder.inFiles().resolve(fileName + ".manifest"), m);
        log.info("Fetched file \"" + fileName + "\".");
    }

    /** An absolute time, a unix timestamp or {@code -N days|hours|…} (a subset of strtotime). */
    static Instant parseChangedSince(String value) {
        String v = value.trim();
        try {
            if (v.matches("\\d+")) {
                return Instant.ofEpochSecond(Long.parseLong(v));
            }
            Matcher m = RELATIVE.matcher(v.toLowerCase());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                long seconds = switch (m.group(2)) {
                    case "second" -> n;
                    case "minute" -> n * 60;
                    case "hour" -> n * 3600;
                    case "day" -> n * 86400;
                    default -> n * 7 * 86400;
                };
                return Instant.now().minusSeconds(seconds);
            }
            return OffsetDateTime.parse(normalizeOffset(v)).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new UserException("The value provided for changed_since could not be converted to a timestamp");
        }
    }

    private static String normalizeOffset(String t) {
        // 2015-01-14T00:47:00+0100 → +01:00 for java.time
        return t.replaceFirst("([+-]\\d{2})(\\d{2})$", "$1:$2");
    }

    static Path safeChild(Path dir, String name) {
        Path p = dir.resolve(name).normalize();
        if (!p.getParent().equals(dir.normalize()) || name.isEmpty()) {
            throw new UserException("Invalid destination \"" + name + "\": must be a plain file name.");
        }
        return p;
    }

    static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplicationException("Interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new ApplicationException(c.getMessage(), c);
        }
    }
}
