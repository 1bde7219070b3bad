package io.granary.runner;

import java.util.List;
import java.util.Map;

/**
 * One resolved output table (spec 3.2 step 4 + 3.3 + 3.4 + 3.5): what to load from which source into which table,
 * with which keys, deletes and metadata. Produced by {@link OutputTableResolver} without touching Storage.
 *
 * @param source         the source's name (a data item of {@code out/tables}, or a workspace table)
 * @param sliced         the source is a folder of header-less slices
 * @param destination    a valid table id {@code stage.c-bucket.table}
 * @param columns        empty = the data's header names the columns
 * @param hasHeader      with {@code columns}: the data's first line is a header to skip
 * @param metadata       {@code [{key, value}]} set with the component as provider after the load
 * @param columnMetadata {@code {column: [{key, value}]}}, likewise
 */
public record TableOutput(String source, boolean sliced, String destination, List<String> columns, boolean hasHeader,
        List<String> primaryKey, boolean incremental, String delimiter, String enclosure, boolean writeAlways,
        List<String> tags, List<DeleteRule> deletes, List<Map<String, String>> metadata,
        Map<String, List<Map<String, String>>> columnMetadata) {

    public TableOutput {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        tags = List.copyOf(tags);
        deletes = List.copyOf(deletes);
    }

    public String bucketId() {
        return destination.substring(0, destination.lastIndexOf('.'));
    }

    public String tableName() {
        return destination.substring(destination.lastIndexOf('.') + 1);
    }

    /** The data has no header line to read: sliced, or named by {@code columns} without {@code has_header}. */
    public boolean headless() {
        return sliced || (!columns.isEmpty() && !hasHeader);
    }
}
