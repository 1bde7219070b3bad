package io.granary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Prints results: the API objects as JSON for scripts, or a short text form for people. */
final class Output {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Output() {
    }

    static void print(Connection connection, JsonNode node, String text) {
        if (connection.json()) {
            try {
                System.out.println(JSON.writeValueAsString(node));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else if (text != null) {
            System.out.println(text);
        }
    }

    /** One line per element of an array: the given fields separated by tabs. */
    static void table(Connection connection, JsonNode array, String... fields) {
        if (connection.json()) {
            print(connection, array, null);
            return;
        }
        for (JsonNode n : array) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < fields.length; i++) {
                JsonNode v = n.path(fields[i]);
                line.append(i == 0 ? "" : "\t").append(v.isContainerNode() ? v.toString() : v.asText());
            }
            System.out.println(line);
        }
    }
}
