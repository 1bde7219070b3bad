package io.granary.client;

import java.util.List;

/** Options of {@code POST /buckets/{id}/tables-async}. Defaults: no primary key, {@code ,} and {@code "}. */
public final class TableCreateOptions {

    private List<String> primaryKey = List.of();
    private List<String> columns = List.of();
    private String delimiter = ",";
    private String enclosure = "\"";

    public static TableCreateOptions defaults() {
        return new TableCreateOptions();
    }

    public TableCreateOptions primaryKey(List<String> primaryKey) {
        this.primaryKey = List.copyOf(primaryKey);
        return this;
    }

    /** The columns of a workspace table the new table takes (empty = all); a file's header names its own. */
    public TableCreateOptions columns(List<String> columns) {
        this.columns = List.copyOf(columns);
        return this;
    }

    public List<String> columns() {
        return columns;
    }

    public TableCreateOptions delimiter(String delimiter) {
        this.delimiter = delimiter;
        return this;
    }

    /** Enclosure character; {@code ""} for none. */
    public TableCreateOptions enclosure(String enclosure) {
        this.enclosure = enclosure;
        return this;
    }

    public List<String> primaryKey() {
        return primaryKey;
    }

    public String delimiter() {
        return delimiter;
    }

    public String enclosure() {
        return enclosure;
    }
}
