package io.granary.core.job;

import io.granary.core.port.TableBackend.RowSelection;

/** Delete the selected rows of a table (all of them for {@link RowSelection#ALL}); times are absolute. */
public record RowsDeleteRequest(String tableId, RowSelection selection) {

    public RowsDeleteRequest {
        selection = selection == null ? RowSelection.ALL : selection;
    }
}
