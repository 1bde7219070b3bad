package io.granary.core.job;

import io.granary.core.csv.CsvDialect;
import java.util.List;

/**
 * Load {@code source} into an existing table. {@code columns} name the source's columns (empty = from its
 * header); {@code withoutHeaders} says a single file has no header line.
 */
public record TableImportRequest(String tableId, ImportSource source, boolean incremental, CsvDialect dialect,
        List<String> columns, boolean withoutHeaders) {

    public TableImportRequest {
        dialect = dialect == null ? CsvDialect.RFC : dialect;
        columns = columns == null ? List.of() : List.copyOf(columns);
    }
}
