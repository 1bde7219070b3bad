package io.granary.core.job;

import io.granary.core.model.FileType;
import io.granary.core.port.TableBackend.RowSelection;
import java.util.List;

/**
 * Export the selected rows and columns (empty = all) of a table to a new sliced file, ordered by
 * {@code orderBy} when given, at most {@code limit} rows (null = all). Times in {@code selection} are absolute:
 * a relative {@code changedSince} was resolved when the export was accepted. {@code merged}: one CSV file with a
 * header line instead of a sliced file (Granary's option; Keboola's UI gets the same from its merged-export
 * component); a request stored without it is not merged.
 */
public record TableExportRequest(String tableId, List<String> columns, RowSelection selection, List<String> orderBy,
        Long limit, boolean gzip, FileType fileType, boolean merged) {

    public TableExportRequest {
        columns = columns == null ? List.of() : List.copyOf(columns);
        selection = selection == null ? RowSelection.ALL : selection;
        orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
        fileType = fileType == null ? FileType.CSV : fileType;
    }
}
