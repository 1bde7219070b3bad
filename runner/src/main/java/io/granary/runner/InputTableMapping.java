package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One normalised item of {@code storage.input.tables} (spec 1.3.1): {@code destination} defaults to the source,
 * {@code where_operator} to {@code eq}, {@code columns} include the {@code column_types} sources.
 *
 * @param whereColumn  empty when no row filter is set ({@code whereValues} is then empty too)
 * @param changedSince as configured: empty, {@code adaptive}, or a time Storage understands
 * @param days         0 = no filter
 * @param limit        null = all rows
 * @param json         the normalised item as config.json carries it (snake_case), for stagings that pass input
 *                     mapping items on (a workspace load takes them as they are)
 */
public record InputTableMapping(String source, String destination, List<String> columns, String whereColumn,
        List<String> whereValues, String whereOperator, String changedSince, int days, Long limit, boolean overwrite,
        ObjectNode json) {

    public InputTableMapping {
        columns = List.copyOf(columns);
        whereValues = List.copyOf(whereValues);
        json = json.deepCopy();
    }

    /** From an item {@link Config} has validated and normalised. */
    static InputTableMapping of(JsonNode item) {
        return new InputTableMapping(item.get("source").asText(), item.get("destination").asText(),
                Json.strings(item.get("columns")), item.path("where_column").asText(""), Json.strings(item.get("where_values")),
                item.path("where_operator").asText("eq"), item.path("changed_since").asText(""), item.path("days").asInt(0),
                item.hasNonNull("limit") ? item.get("limit").asLong() : null, item.path("overwrite").asBoolean(false),
                (ObjectNode) item);
    }

    @Override
    public ObjectNode json() {
        return json.deepCopy();
    }
}
