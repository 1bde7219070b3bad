package io.granary.core.job;

import io.granary.core.csv.CsvDialect;
import io.granary.core.model.TableRef;
import java.util.List;

/** Create {@code table} from {@code source}: columns from its header, then a full load; {@code primaryKey} may be empty. */
public record TableCreateRequest(TableRef table, ImportSource source, CsvDialect dialect, List<String> primaryKey) {

    public TableCreateRequest {
        dialect = dialect == null ? CsvDialect.RFC : dialect;
        primaryKey = primaryKey == null ? List.of() : List.copyOf(primaryKey);
    }
}
