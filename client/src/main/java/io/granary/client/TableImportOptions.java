package io.granary.client;

import java.util.List;

/**
 * Options of {@code POST /tables/{id}/import-async}. Defaults: full load, columns from the file's header,
 * {@code ,} and {@code "}. A sliced file has no header: give {@link #columns}.
 */
public final class TableImportOptions {

    private boolean incremental;
    private List<String> columns;
    private boolean withoutHeaders;
    private String delimiter = ",";
    private String enclosure = "\"";

    public static TableImportOptions defaults() {
        return new TableImportOptions();
    }

    /** Append (deduplicating by primary key) instead of replacing the table's content. */
    public TableImportOptions incremental(boolean incremental) {
        this.incremental = incremental;
        return this;
    }

    /** The file's columns in file order; null = read the header. */
    public TableImportOptions columns(List<String> columns) {
        this.columns = columns == null ? null : List.copyOf(columns);
        return this;
    }

    /** The (non-sliced) file has no header line; needs {@link #columns}. */
    public TableImportOptions withoutHeaders(boolean withoutHeaders) {
        this.withoutHeaders = withoutHeaders;
        return this;
    }

    public TableImportOptions delimiter(String delimiter) {
        this.delimiter = delimiter;
        return this;
    }

    public TableImportOptions enclosure(String enclosure) {
        this.enclosure = enclosure;
        return this;
    }

    public boolean incremental() {
        return incremental;
    }

    public List<String> columns() {
        return columns;
    }

    public boolean withoutHeaders() {
        return withoutHeaders;
    }

    public String delimiter() {
        return delimiter;
    }

    public String enclosure() {
        return enclosure;
    }

    TableImportOptions copy() {
        return new TableImportOptions().incremental(incremental).columns(columns).withoutHeaders(withoutHeaders)
                .delimiter(delimiter).enclosure(enclosure);
    }
}
