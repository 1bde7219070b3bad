package io.granary.core.model;

import java.time.Instant;
import java.util.List;

/**
 * A table's metadata as the catalog keeps it. {@code columns} are the visible columns in order (the
 * hidden {@code _timestamp} is not among them). Dates are null until the first import or change.
 */
public record Table(
        TableRef ref,
        List<String> columns,
        List<String> primaryKey,
        Instant created,
        Instant lastImportDate,
        Instant lastChangeDate,
        long rowsCount,
        long dataSizeBytes) {

    public Table {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public String id() {
        return ref.tableId();
    }

    public Table withColumns(List<String> newColumns) {
        return new Table(ref, newColumns, primaryKey, created, lastImportDate, lastChangeDate, rowsCount, dataSizeBytes);
    }

    public Table withPrimaryKey(List<String> pk) {
        return new Table(ref, columns, pk, created, lastImportDate, lastChangeDate, rowsCount, dataSizeBytes);
    }

    public Table withStats(long rows, long bytes, Instant importDate, Instant changeDate) {
        return new Table(ref, columns, primaryKey, created, importDate, changeDate, rows, bytes);
    }
}
