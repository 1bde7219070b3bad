package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * How one file of {@code out/files} is uploaded (spec 1.3.4, 2.5): an item of {@code storage.output.files}, or the
 * file's manifest when no item names it (the two are never merged, 3.8).
 *
 * @param source         empty for a manifest
 * @param notifyOnUpload {@code notify}: Storage notifies the project about the new file
 */
public record OutputFileMapping(String source, List<String> tags, boolean isPublic, boolean isPermanent,
        boolean isEncrypted, boolean notifyOnUpload) {

    public OutputFileMapping {
        tags = List.copyOf(tags);
    }

    /** From a validated mapping item or manifest; what is missing takes Keboola's defaults. */
    static OutputFileMapping of(JsonNode item) {
        return new OutputFileMapping(item.path("source").asText(""), Json.strings(item.get("tags")),
                item.path("is_public").asBoolean(false), item.path("is_permanent").asBoolean(false),
                item.path("is_encrypted").asBoolean(true), item.path("notify").asBoolean(false));
    }

    /** A file with neither mapping nor manifest. */
    static OutputFileMapping defaults() {
        return of(Json.object());
    }
}
