package io.granary.core.job;

import io.granary.core.csv.CsvDialect;
import io.granary.core.model.TableRef;
import java.util.List;

/**
 * Create {@code table} from {@code source}: columns from its header, then a full load; {@code primaryKey} may be empty.
 * {@code columns} (a workspace source only; empty = all) names the workspace table's columns the new table takes.
 */
public record TableCreateRequest(TableRef table, ImportSource source, CsvDialect dialect, List<String> primaryKey,
        List<String> columns) {

    public TableCreateRequest {
        dialect = dialect == null ? CsvDialect.RFC : dialect;
        primaryKey = primaryKey == null ? List.of() : List.copyOf(primaryKey);
        columns = columns == null ? List.of() : List.copyOf(columns);
    }

    public TableCreateRequest(TableRef table, ImportSource source, CsvDialect dialect, List<String> primaryKey) {
        this(table, source, dialect, primaryKey, List.of());
    }
}
