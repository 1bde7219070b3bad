package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One normalised item of {@code storage.output.tables} (spec 1.3.3, 3.1): every default is present, because the
 * merge with a manifest (3.3) goes key by key and a default-valued key behaves differently from a missing one. The
 * resolved, typed result of mapping + manifest is a {@link TableOutput}.
 *
 * @param destination empty when not configured
 * @param json        the normalised item, key by key as the merge reads it
 */
public record OutputTableMapping(String source, String destination, ObjectNode json) {

    public OutputTableMapping {
        json = json.deepCopy();
    }

    static OutputTableMapping of(JsonNode item) {
        return new OutputTableMapping(item.path("source").asText(), item.path("destination").asText(""), (ObjectNode) item);
    }

    @Override
    public ObjectNode json() {
        return json.deepCopy();
    }
}
