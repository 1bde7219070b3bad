package io.granary.core.job;

import java.util.List;

/** Set a table's primary key to {@code columns}; empty removes it. */
public record PrimaryKeyRequest(String tableId, List<String> columns) {

    public PrimaryKeyRequest {
        columns = columns == null ? List.of() : List.copyOf(columns);
    }
}
