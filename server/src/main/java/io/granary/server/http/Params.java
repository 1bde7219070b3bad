package io.granary.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.GranaryException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Request parameters from the query string and the body (JSON, form or multipart), merged into one
 * tree. Form keys in PHP's bracket forms ({@code x[]}, {@code x[0]}, {@code f[0][column]},
 * {@code p[in.c-main]}) become arrays and objects, so every client's encoding reads the same.
 */
public final class Params {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode root;

    private Params(ObjectNode root) {
        this.root = root;
    }

    /** Parameters stored earlier with {@link #tree()} (a job re-reads its request this way). */
    public static Params of(ObjectNode tree) {
        return new Params(tree == null ? JsonNodeFactory.instance.objectNode() : tree.deepCopy());
    }

    public static Params empty() {
        return new Params(JsonNodeFactory.instance.objectNode());
    }

    /** Builds parameters: query first, then form fields, then a JSON object body on top. */
    public static Params of(Map<String, List<String>> query, Map<String, List<String>> form, String jsonBody) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        addFlat(root, query);
        addFlat(root, form);
        if (jsonBody != null && !jsonBody.isBlank()) {
            JsonNode body;
            try {
                body = JSON.readTree(jsonBody);
            } catch (Exception e) {
                throw GranaryException.validation("Request body is not valid JSON: "
                        + e.getMessage().lines().findFirst().orElse("parse error"));
            }
            if (!body.isObject()) {
                throw GranaryException.validation("Request body must be a JSON object.");
            }
            body.fields().forEachRemaining(e -> root.set(e.getKey(), e.getValue()));
        }
        return new Params(root);
    }

    public boolean has(String name) {
        JsonNode n = root.get(name);
        return n != null && !n.isNull();
    }

    public JsonNode node(String name) {
        JsonNode n = root.get(name);
        return n == null || n.isNull() ? null : n;
    }

    public String string(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        if (n.isContainerNode()) {
            throw GranaryException.validation("Invalid request: " + name + ": This value should be of type string.");
        }
        return n.asText();
    }

    /** Booleans as clients send them: true/false, 1/0, True/False, "" (false); anything else is a 400. */
    public Boolean bool(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber() && (n.asLong() == 0 || n.asLong() == 1)) {
            return n.asLong() == 1;
        }
        if (n.isTextual()) {
            switch (n.asText().strip().toLowerCase(Locale.ROOT)) {
                case "true", "1" -> {
                    return true;
                }
                case "false", "0", "" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw GranaryException.validation("Invalid request: " + name + ": \"" + n.asText()
                + "\" is not boolean. Possible values are true, false, 1, 0.");
    }

    public boolean bool(String name, boolean fallback) {
        Boolean b = bool(name);
        return b == null ? fallback : b;
    }

    public Long longValue(String name) {
        JsonNode n = node(name);
        if (n == null || (n.isTextual() && n.asText().isBlank())) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.asText().strip());
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw GranaryException.validation("Invalid request: " + name + ": \"" + n.asText() + "\" is not a valid integer.");
    }

    public Integer intValue(String name) {
        Long v = longValue(name);
        if (v == null) {
            return null;
        }
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw GranaryException.validation("Invalid request: " + name + ": " + v + " is out of range.");
        }
        return v.intValue();
    }

    /**
     * A list given as an array (JSON or {@code x[]}), or — when {@code commaString} — one
     * comma-separated string. A scalar where only an array is allowed is a 400.
     */
    public List<String> list(String name, boolean commaString) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        if (n.isArray()) {
            List<String> out = new ArrayList<>();
            n.forEach(v -> out.add(v.asText()));
            return out;
        }
        if (n.isObject()) {
            List<String> out = new ArrayList<>();
            n.forEach(v -> out.add(v.asText()));
            return out;
        }
        if (commaString) {
            String s = n.asText();
            return s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::strip).toList();
        }
        throw GranaryException.validation("Invalid request: " + name + ": This value should be of type array.");
    }

    /** An object parameter as a string map ({@code p[key]=v} or a JSON object). */
    public Map<String, String> map(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return null;
        }
        if (n.isArray() && n.isEmpty()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw GranaryException.validation("Invalid request: " + name + ": This value should be of type object.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        return out;
    }

    public ObjectNode tree() {
        return root.deepCopy();
    }

    private static void addFlat(ObjectNode root, Map<String, List<String>> flat) {
        if (flat == null) {
            return;
        }
        flat.forEach((key, values) -> {
            for (String value : values) {
                put(root, key, value);
            }
        });
    }

    private static void put(ObjectNode root, String key, String value) {
        int open = key.indexOf('[');
        if (open <= 0 || !key.endsWith("]")) {
            root.put(key, value);
            return;
        }
        List<String> path = new ArrayList<>();
        path.add(key.substring(0, open));
        String rest = key.substring(open);
        while (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                root.put(key, value);
                return;
            }
            path.add(rest.substring(1, close));
            rest = rest.substring(close + 1);
        }
        JsonNode container = root;
        for (int i = 0; i < path.size(); i++) {
            String segment = path.get(i);
            boolean last = i == path.size() - 1;
            String next = last ? null : path.get(i + 1);
            container = step(container, segment, last ? null : (isIndex(next) ? "array" : "object"), value);
        }
    }

    private static JsonNode step(JsonNode container, String segment, String childKind, String value) {
        if (container instanceof ArrayNode array) {
            if (childKind == null) {
                if (segment.isEmpty()) {
                    array.add(value);
                } else {
                    int idx = Integer.parseInt(segment);
                    while (array.size() <= idx) {
                        array.addNull();
                    }
                    array.set(idx, JsonNodeFactory.instance.textNode(value));
                }
                return array;
            }
            int idx = segment.isEmpty() ? array.size() : Integer.parseInt(segment);
            while (array.size() <= idx) {
                array.addNull();
            }
            JsonNode child = array.get(idx);
            if (child == null || child.isNull() || !kindMatches(child, childKind)) {
                child = childKind.equals("array") ? array.arrayNode() : array.objectNode();
                array.set(idx, child);
            }
            return child;
        }
        ObjectNode object = (ObjectNode) container;
        if (childKind == null) {
            object.put(segment, value);
            return object;
        }
        JsonNode child = object.get(segment);
        if (child == null || !kindMatches(child, childKind)) {
            child = childKind.equals("array") ? object.putArray(segment) : object.putObject(segment);
        }
        return child;
    }

    private static boolean kindMatches(JsonNode node, String kind) {
        return kind.equals("array") ? node.isArray() : node.isObject();
    }

    private static boolean isIndex(String segment) {
        return segment.isEmpty() || segment.chars().allMatch(Character::isDigit);
    }
}
