package io.granary.runner;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JSON helpers: one mapper, pretty output with LF line ends, Keboola's manifest date format. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("    ", "\n"))
            .withArrayIndenter(new DefaultIndenter("    ", "\n")));
    private static final Pattern ISO = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}:\\d{2})(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})?");

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static void write(Path file, JsonNode node) {
        try {
            Files.writeString(file, PRETTY.writeValueAsString(node) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(Path file) throws IOException {
        return MAPPER.readTree(file.toFile());
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    static ArrayNode toArray(List<String> values) {
        ArrayNode a = array();
        values.forEach(a::add);
        return a;
    }

    /**
     * A Storage time as {@code yyyy-MM-dd'T'HH:mm:ssZ} ({@code 2015-01-14T00:47:00+0100}): no fraction, offset without
     * a colon (spec 8.3; the official Python library parses {@code %Y-%m-%dT%H:%M:%S%z} only). Null stays null.
     */
    static String keboolaTime(String storageTime) {
        if (storageTime == null || storageTime.isBlank()) {
            return null;
        }
        Matcher m = ISO.matcher(storageTime.trim());
        if (!m.matches()) {
            return storageTime;
        }
        String offset = m.group(4);
        if (offset == null || "Z".equals(offset)) {
            offset = "+0000";
        }
        return m.group(1) + "T" + m.group(2) + offset.replace(":", "");
    }

    /** Symfony-config style type name of a JSON value, for error messages. */
    static String typeName(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isObject() || v.isArray()) {
            return "array";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isIntegralNumber()) {
            return "int";
        }
        if (v.isNumber()) {
            return "float";
        }
        return "string";
    }
}
