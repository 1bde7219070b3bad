package io.granary.core.job;

import io.granary.core.port.WorkspaceBackend.LoadTable;
import java.util.List;

/**
 * Copy Storage tables into a workspace; without {@code preserve} the workspace is emptied first. Times in each
 * table's selection are absolute and its columns were checked when the load was accepted.
 */
public record WorkspaceLoadRequest(long workspaceId, boolean preserve, List<LoadTable> tables) {

    public WorkspaceLoadRequest {
        tables = tables == null ? List.of() : List.copyOf(tables);
    }
}
