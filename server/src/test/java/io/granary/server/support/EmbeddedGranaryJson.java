package io.granary.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON parsing for tests. */
final class EmbeddedGranaryJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedGranaryJson() {
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
