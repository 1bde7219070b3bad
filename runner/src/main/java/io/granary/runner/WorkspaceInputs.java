package io.granary.runner;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The table input mapping as a workspace load takes it (spec 5.2): the items of config.json (snake_case) unchanged,
 * for one {@code input-mapping-load} job. What a workspace cannot load is refused before anything is made.
 */
final class WorkspaceInputs {

    static final String DAYS = "Days option is not supported on workspace, use changed_since instead.";
    static final String ADAPTIVE = "Adaptive input mapping is not supported on input mapping to workspace.";
    static final String VIEW = "Table \"%s\": use_view and load_type \"VIEW\" are not supported on Granary's workspaces:"
            + " the rows are copied (a view would let the workspace's login read Storage's table).";

    private WorkspaceInputs() {
    }

    /**
     * @throws UserException {@link #DAYS} for {@code days}, {@link #ADAPTIVE} for {@code changed_since: adaptive},
     *                       {@link #VIEW} for {@code use_view: true} or {@code load_type: VIEW}
     */
    static void check(List<InputTableMapping> tables) {
        for (InputTableMapping t : tables) {
            if (t.days() > 0) {
                throw new UserException(DAYS);
            }
            if ("adaptive".equals(t.changedSince())) {
                throw new UserException(ADAPTIVE);
            }
            var json = t.json();
            if (json.path("use_view").asBoolean(false) || "VIEW".equalsIgnoreCase(json.path("load_type").asText(""))) {
                throw new UserException(String.format(VIEW, t.source()));
            }
        }
    }

    /** The {@code input} of {@code POST workspaces/{id}/input-mapping-load}. */
    static ArrayNode items(List<InputTable> tables) {
        check(tables.stream().map(InputTable::mapping).toList());
        ArrayNode items = Json.array();
        for (InputTable t : tables) {
            ObjectNode item = t.mapping().json();
            item.remove("days"); // the parsed config's default 0: any days the load endpoint sees it refuses
            items.add(item);
        }
        return items;
    }
}
