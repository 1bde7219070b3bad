package io.granary.runner;

import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One normalised item of {@code storage.input.files} (spec 1.3.2).
 *
 * @param tags         all must match (empty = no tag filter)
 * @param sourceTags   {@code source.tags}: include/exclude rules
 * @param query        empty = none
 * @param fileIds      the ids as written (empty = list by tags/query)
 * @param limit        null = Storage's default page of 100 files (4.3)
 * @param changedSince empty, {@code adaptive}, or a time
 * @param json         the normalised item as config.json carries it
 */
public record InputFileMapping(List<String> tags, List<SourceTag> sourceTags, String query, List<String> fileIds,
        Integer limit, String changedSince, List<String> processedTags, boolean overwrite, ObjectNode json) {

    /** One {@code source.tags} rule; {@code match} is {@code include} or {@code exclude}. */
    public record SourceTag(String name, String match) {

        public boolean exclude() {
            return "exclude".equals(match);
        }
    }

    public InputFileMapping {
        tags = List.copyOf(tags);
        sourceTags = List.copyOf(sourceTags);
        fileIds = List.copyOf(fileIds);
        processedTags = List.copyOf(processedTags);
        json = json.deepCopy();
    }

    static InputFileMapping of(JsonNode item) {
        List<SourceTag> sourceTags = new ArrayList<>();
        for (JsonNode t : item.path("source").path("tags")) {
            sourceTags.add(new SourceTag(t.path("name").asText(), t.path("match").asText()));
        }
        return new InputFileMapping(Json.strings(item.get("tags")), sourceTags, item.path("query").asText(""),
                Json.strings(item.get("file_ids")), item.hasNonNull("limit") ? item.get("limit").asInt() : null,
                item.path("changed_since").asText(""), Json.strings(item.get("processed_tags")),
                item.path("overwrite").asBoolean(true), (ObjectNode) item);
    }

    public boolean adaptive() {
        return "adaptive".equals(changedSince);
    }

    /** A file id as Storage takes it (the text of the id as written; not a number = 0, as Jackson reads it). */
    static long fileId(String id) {
        return NumberInput.parseAsLong(id, 0);
    }

    /**
     * The key of this mapping's adaptive state (4.2): {@code source.tags} as written, or {@code tags} as
     * {@code [{name}]}; null when the mapping selects by query or ids only.
     */
    JsonNode stateKey() {
        JsonNode written = json.path("source").path("tags");
        if (written.isArray() && !written.isEmpty()) {
            return written.deepCopy();
        }
        if (!tags.isEmpty()) {
            ArrayNode out = Json.array();
            tags.forEach(t -> out.addObject().put("name", t));
            return out;
        }
        return null;
    }

    @Override
    public ObjectNode json() {
        return json.deepCopy();
    }
}
