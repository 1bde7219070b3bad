package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code DELETE /tables/{id}/rows} request an output runs before its load (spec 3.6): the legacy
 * {@code delete_where_column/values/operator}, or one {@code delete_where[]} rule. Resolved from the merged
 * configuration; rendered as the Storage API body only when the load runs, because {@code values_from_storage}
 * reads that table's column then.
 */
public sealed interface DeleteRule permits DeleteRule.ByColumn, DeleteRule.Where {

    /** {@code delete_where_column} + {@code delete_where_values} + {@code delete_where_operator}. */
    record ByColumn(String column, String operator, List<String> values) implements DeleteRule {

        public ByColumn {
            values = List.copyOf(values);
        }
    }

    /**
     * One {@code delete_where[]} item.
     *
     * @param changedSince null = not set
     * @param changedUntil null = not set
     */
    record Where(String changedSince, String changedUntil, List<Filter> filters) implements DeleteRule {

        public Where {
            filters = List.copyOf(filters);
        }
    }

    /** One {@code where_filters[]} item: {@code operator} is {@code eq} or {@code ne}. */
    record Filter(String column, String operator, Values values) {
    }

    /** Where a filter's values come from. */
    sealed interface Values permits FromSet, FromStorage, FromWorkspace {
    }

    /** {@code values_from_set}. */
    record FromSet(List<String> values) implements Values {

        public FromSet {
            values = List.copyOf(values);
        }
    }

    /** {@code values_from_storage}: the distinct values of {@code column} of the Storage table {@code tableId}. */
    record FromStorage(String tableId, String column) implements Values {
    }

    /** {@code values_from_workspace}: Storage reads the values from a workspace table (spec 5.4). */
    record FromWorkspace(String workspaceId, String table, String column) implements Values {
    }

    /** Reads the values of a {@link FromStorage} source when the delete runs. */
    @FunctionalInterface
    interface StorageValues {
        List<String> of(FromStorage source) throws IOException;
    }

    /**
     * The rules of a merged output configuration (3.6): the legacy triple first, then each {@code delete_where[]}
     * item.
     *
     * @param prepare     the error prefix {@code Failed to prepare mapping configuration for table <src>: }
     * @param workspaceId the output staging's workspace ({@code values_from_workspace} defaults to it); null when
     *                    the staging has none, which refuses {@code values_from_workspace}
     */
    static List<DeleteRule> of(String prepare, JsonNode merged, String workspaceId) {
        List<DeleteRule> out = new ArrayList<>();
        String column = merged.path("delete_where_column").asText("");
        if (!column.isEmpty()) {
            out.add(new ByColumn(column, operator(prepare, merged.path("delete_where_operator").asText("")),
                    Json.strings(merged.get("delete_where_values"))));
        }
        JsonNode rules = merged.path("delete_where");
        if (!rules.isArray()) {
            return out;
        }
        for (JsonNode rule : rules) {
            if (!rule.has("changed_since") && !rule.has("changed_until") && !rule.has("where_filters")) {
                throw new UserException(prepare
                        + "Each \"delete_where\" item needs at least one of \"changed_since\", \"changed_until\" or \"where_filters\".");
            }
            List<Filter> filters = new ArrayList<>();
            for (JsonNode f : rule.path("where_filters")) {
                filters.add(filter(prepare, f, workspaceId));
            }
            out.add(new Where(rule.hasNonNull("changed_since") ? rule.get("changed_since").asText() : null,
                    rule.hasNonNull("changed_until") ? rule.get("changed_until").asText() : null, filters));
        }
        return out;
    }

    private static Filter filter(String prepare, JsonNode f, String workspaceId) {
        if (f.path("column").asText("").isEmpty()) {
            throw new UserException(prepare + "The \"column\" of a \"where_filters\" item is required.");
        }
        int sources = (f.has("values_from_set") ? 1 : 0) + (f.has("values_from_storage") ? 1 : 0)
                + (f.has("values_from_workspace") ? 1 : 0);
        if (sources != 1) {
            throw new UserException(prepare + "A \"where_filters\" item needs exactly one of \"values_from_set\","
                    + " \"values_from_storage\" or \"values_from_workspace\".");
        }
        if (f.has("values_from_workspace") && workspaceId == null) {
            throw new UserException(prepare + "\"values_from_workspace\" in \"delete_where\" needs a workspace;"
                    + " this runner stages locally. Use \"values_from_set\" or \"values_from_storage\".");
        }
        String column = f.get("column").asText();
        String operator = operator(prepare, f.path("operator").asText(""));
        if (f.has("values_from_workspace")) {
            JsonNode src = f.get("values_from_workspace");
            return new Filter(column, operator, new FromWorkspace(src.path("workspace_id").asText(workspaceId),
                    src.path("table").asText(""), src.path("column").asText(column)));
        }
        if (f.has("values_from_storage")) {
            JsonNode src = f.get("values_from_storage");
            if (src.path("bucket_id").asText("").isEmpty() || src.path("table").asText("").isEmpty()) {
                throw new UserException(prepare + "\"values_from_storage\" needs \"bucket_id\" and \"table\".");
            }
            return new Filter(column, operator, new FromStorage(src.get("bucket_id").asText() + "." + src.get("table").asText(),
                    src.path("column").asText(column)));
        }
        return new Filter(column, operator, new FromSet(Json.strings(f.get("values_from_set"))));
    }

    private static String operator(String prepare, String op) {
        String o = op.isEmpty() ? "eq" : op;
        if (!o.equals("eq") && !o.equals("ne")) {
            throw new UserException(prepare + "Invalid delete_where operator \"" + op + "\": use eq or ne.");
        }
        return o;
    }

    /**
     * The body of the {@code DELETE rows} request: {@code whereColumn/whereOperator/whereValues}, or
     * {@code changedSince}, {@code changedUntil}, {@code whereFilters[{column, operator, values |
     * valuesByTableInWorkspace}]}.
     */
    default Map<String, Object> body(StorageValues storage) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (this instanceof ByColumn c) {
            body.put("whereColumn", c.column());
            body.put("whereOperator", c.operator());
            body.put("whereValues", c.values());
            return body;
        }
        Where w = (Where) this;
        if (w.changedSince() != null) {
            body.put("changedSince", w.changedSince());
        }
        if (w.changedUntil() != null) {
            body.put("changedUntil", w.changedUntil());
        }
        List<Map<String, Object>> filters = new ArrayList<>();
        for (Filter f : w.filters()) {
            Map<String, Object> filter = new LinkedHashMap<>();
            filter.put("column", f.column());
            filter.put("operator", f.operator());
            if (f.values() instanceof FromSet s) {
                filter.put("values", s.values());
            } else if (f.values() instanceof FromStorage s) {
                filter.put("values", storage.of(s));
            } else if (f.values() instanceof FromWorkspace s) {
                Map<String, Object> table = new LinkedHashMap<>();
                table.put("workspaceId", s.workspaceId());
                table.put("table", s.table());
                table.put("column", s.column());
                filter.put("valuesByTableInWorkspace", table);
            }
            filters.add(filter);
        }
        if (!filters.isEmpty()) {
            body.put("whereFilters", filters);
        }
        return body;
    }

    /** An {@code eq} filter on no values (an empty set, an empty source table) selects no rows: nothing to delete. */
    static boolean matchesNothing(Map<String, Object> body) {
        if (!(body.get("whereFilters") instanceof List<?> filters)) {
            return false;
        }
        for (Object f : filters) {
            if (f instanceof Map<?, ?> filter && "eq".equals(filter.get("operator"))
                    && filter.get("values") instanceof List<?> v && v.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
