package io.granary.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.storage.SelectionInput;
import io.granary.core.storage.WorkspaceLoads.ColumnInput;
import io.granary.core.storage.WorkspaceLoads.LoadInput;
import io.granary.core.storage.WorkspaceLoads.LoadItem;
import io.granary.core.storage.WorkspaceService.CreateInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads workspace requests as Keboola's clients send them (JSON, or form fields like {@code input[0][source]}) into
 * the inputs of {@link io.granary.core.storage.WorkspaceService} and {@link io.granary.core.storage.WorkspaceLoads}.
 * {@code load} takes the Storage API's camelCase items, {@code input-mapping-load} the snake_case items of a
 * component's {@code config.json}; both read {@code input} and {@code preserve}. Only the form is checked here.
 */
public final class WorkspaceParams {

    /** The spelling of one load item's fields. */
    private record Names(String whereColumn, String whereValues, String whereOperator, String whereFilters,
            String changedSince, String changedUntil, String limit, String timestamp, String loadType, String useView) {
    }

    private static final Names CAMEL = new Names("whereColumn", "whereValues", "whereOperator", "whereFilters",
            "changedSince", "changedUntil", "rows", "keepInternalTimestampColumn", "loadType", "useView");
    private static final Names SNAKE = new Names("where_column", "where_values", "where_operator", "where_filters",
            "changed_since", "changed_until", "limit", "keep_internal_timestamp_column", "load_type", "use_view");

    private WorkspaceParams() {
    }

    /** {@code POST /workspaces}: {@code backend}, {@code readOnlyStorageAccess}, {@code loginType}. */
    public static CreateInput createInput(Params p, String component, String configurationId) {
        return new CreateInput(p.string("backend"), p.bool("readOnlyStorageAccess", false), component, configurationId,
                p.string("loginType"));
    }

    /** {@code load}: the API's camelCase items. */
    public static LoadInput load(Params p) {
        return input(p, CAMEL);
    }

    /** {@code input-mapping-load}: the items of {@code storage.input.tables} in a config.json. */
    public static LoadInput inputMapping(Params p) {
        return input(p, SNAKE);
    }

    private static LoadInput input(Params p, Names names) {
        JsonNode input = p.node("input");
        if (input == null) {
            throw invalid("input", "This value should not be blank.");
        }
        if (!input.isArray() && !input.isObject()) {
            throw invalid("input", "This value should be of type array.");
        }
        if (input.isEmpty()) {
            throw invalid("input", "This collection should contain 1 element or more.");
        }
        List<LoadItem> items = new ArrayList<>();
        int i = 0;
        for (JsonNode item : input) {
            String at = "input[" + i++ + "]";
            if (!item.isObject()) {
                throw invalid(at, "This value should be of type object.");
            }
            items.add(item(Params.of((ObjectNode) item), names, at));
        }
        return new LoadInput(p.bool("preserve", false), items);
    }

    private static LoadItem item(Params item, Names names, String at) {
        String source = item.string("source");
        String destination = item.string("destination");
        if (destination == null || destination.isBlank()) {
            // Keboola's default: the table's name
            destination = source == null ? null : source.substring(source.lastIndexOf('.') + 1);
        }
        List<ColumnInput> columns = columns(item.node("columns"), at);
        List<SelectionInput.Filter> filters = new ArrayList<>();
        String whereColumn = item.string(names.whereColumn());
        if (whereColumn != null && !whereColumn.isBlank()) {
            filters.add(new SelectionInput.Filter(whereColumn, item.string(names.whereOperator()),
                    item.list(names.whereValues(), false)));
        }
        JsonNode where = item.node(names.whereFilters());
        if (where != null) {
            if (!where.isArray()) {
                throw invalid(at + "." + names.whereFilters(), "This value should be of type array.");
            }
            for (JsonNode f : where) {
                List<String> values = new ArrayList<>();
                JsonNode v = f.get("values");
                if (v != null && v.isContainerNode()) {
                    v.forEach(x -> values.add(x.asText()));
                } else if (v != null && !v.isNull()) {
                    values.add(v.asText());
                }
                filters.add(new SelectionInput.Filter(f.path("column").asText(""), f.path("operator").asText(null),
                        values));
            }
        }
        SelectionInput selection = new SelectionInput(filters, item.string(names.changedSince()),
                item.string(names.changedUntil()));
        String loadType = item.string(names.loadType());
        // asked in either spelling, a view is refused by the load (never silently copied)
        if (item.bool(names.useView(), false) || item.bool("useView", false)) {
            loadType = "VIEW";
        }
        String days = item.has("days") ? item.string("days") : null;
        return new LoadItem(source, destination, columns, selection, item.longValue(names.limit()),
                item.bool("overwrite", false), item.bool(names.timestamp(), true), loadType, days);
    }

    /** Names, or objects {@code {source, destination}} (Keboola's typed columns; their types are not kept). */
    private static List<ColumnInput> columns(JsonNode columns, String at) {
        List<ColumnInput> out = new ArrayList<>();
        if (columns == null) {
            return out;
        }
        if (!columns.isArray()) {
            throw invalid(at + ".columns", "This value should be of type array.");
        }
        for (JsonNode c : columns) {
            if (c.isObject()) {
                out.add(new ColumnInput(text(c, "source"), text(c, "destination")));
            } else if (c.isValueNode() && !c.isNull()) {
                out.add(new ColumnInput(c.asText(), null));
            } else {
                throw invalid(at + ".columns", "every column is a name or an object with \"source\".");
            }
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static GranaryException invalid(String parameter, String message) {
        return new GranaryException(ErrorCode.WORKSPACES_VALIDATION, "Invalid request: " + parameter + ": " + message);
    }
}
