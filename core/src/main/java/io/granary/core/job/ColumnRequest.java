package io.granary.core.job;

/** Add or drop one column of a table (the operation says which). */
public record ColumnRequest(String tableId, String column) {
}
