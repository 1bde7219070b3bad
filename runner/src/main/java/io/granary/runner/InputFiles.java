package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import java.io.IOException;
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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Input files (spec 4.3, 2.4): the files each mapping selects (tags, {@code source.tags}, query, ids, changed since,
 * adaptive), each downloaded once into {@code in/files/<id>_<name>} with its manifest. Every staging mode downloads
 * files like this.
 */
final class InputFiles {

    private static final int FILE_PAGE = 100;
    private static final Pattern RELATIVE = Pattern.compile("^-?\\s*(\\d+)\\s*(second|minute|hour|day|week)s?$");

    private final StorageClient client;
    private final DataFolder folder;
    private final RunLog log;
    private final int parallelism;

    InputFiles(StorageClient client, DataFolder folder, RunLog log, int parallelism) {
        this.client = client;
        this.folder = folder;
        this.log = log;
        this.parallelism = parallelism;
    }

    /** Downloads every file mapping into {@code in/files/<id>_<name>} plus manifests (spec 4.3, 2.4). */
    InputMapping.FilesResult download(List<InputFileMapping> mappings, JsonNode previousStates) {
        Map<Long, JsonNode> files = new LinkedHashMap<>();
        ArrayNode states = Json.array();
        Map<Long, List<String>> processed = new LinkedHashMap<>();
        for (InputFileMapping mapping : mappings) {
            JsonNode identity = mapping.stateKey();
            Long lastImportId = null;
            for (JsonNode s : previousStates == null ? Json.array() : previousStates) {
                if (s.path("tags").equals(identity)) {
                    lastImportId = s.path("lastImportId").asLong();
                }
            }
            long newest = lastImportId == null ? -1 : lastImportId;
            List<JsonNode> found = findFiles(mapping, mapping.adaptive() ? lastImportId : null);
            for (JsonNode f : found) {
                long id = f.get("id").asLong();
                files.putIfAbsent(id, f);
                newest = Math.max(newest, id);
                for (String tag : mapping.processedTags()) {
                    processed.computeIfAbsent(id, k -> new ArrayList<>()).add(tag);
                }
            }
            if (identity != null && newest >= 0) {
                ObjectNode state = states.addObject();
                state.set("tags", identity);
                state.put("lastImportId", newest);
            }
        }
        Parallel.map(new ArrayList<>(files.values()), parallelism, f -> {
            downloadFile(f);
            return null;
        });
        return new InputMapping.FilesResult(states, processed);
    }

    /** Files of one mapping; with {@code sinceId}, only files with a greater id (adaptive, 4.2). */
    List<JsonNode> findFiles(InputFileMapping mapping, Long sinceId) {
        Predicate<JsonNode> matches = mapping.query().isEmpty() ? f -> true : FileQuery.parse(mapping.query());
        int limit = mapping.limit() != null ? mapping.limit() : 100;
        String changedSince = mapping.changedSince();
        Instant since = changedSince.isEmpty() || mapping.adaptive() ? null : parseChangedSince(changedSince);
        List<JsonNode> out = new ArrayList<>();
        if (!mapping.fileIds().isEmpty()) {
            for (String id : mapping.fileIds()) {
                try {
                    out.add(client.getFile(InputFileMapping.fileId(id), false));
                } catch (StorageApiException e) {
                    throw new UserException("Cannot import file " + id + " from Storage API: " + e.getMessage(), e);
                }
            }
            return out;
        }
        Set<String> include = new LinkedHashSet<>(mapping.tags());
        Set<String> exclude = new LinkedHashSet<>();
        for (InputFileMapping.SourceTag st : mapping.sourceTags()) {
            (st.exclude() ? exclude : include).add(st.name());
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
        Path target = InputMapping.safeChild(folder.inFiles(), fileName);
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
}
