package io.granary.client;

import java.util.List;

/**
 * Options of {@code POST /tables/{id}/export-async}. Defaults: all columns, all rows, gzip on (as Keboola's
 * {@code TableExporter}: smaller transfers; {@link StorageClient#exportTable} decompresses).
 */
public final class TableExportOptions {

    private List<String> columns;
    private String whereColumn;
    private List<String> whereValues;
    private String whereOperator;
    private String changedSince;
    private Long limit;
    private boolean gzip = true;
    private String fileType;

    public static TableExportOptions defaults() {
        return new TableExportOptions();
    }

    /** Columns to export, in output order; null = all, in table order. */
    public TableExportOptions columns(List<String> columns) {
        this.columns = columns == null ? null : List.copyOf(columns);
        return this;
    }

    /** Rows whose {@code column} is (operator {@code eq}) or is not ({@code ne}) one of {@code values}. */
    public TableExportOptions where(String column, List<String> values, String operator) {
        this.whereColumn = column;
        this.whereValues = List.copyOf(values);
        this.whereOperator = operator;
        return this;
    }

    /** Rows changed since: an ISO 8601 time or a relative one like {@code -1 days}. */
    public TableExportOptions changedSince(String changedSince) {
        this.changedSince = changedSince;
        return this;
    }

    public TableExportOptions limit(Long limit) {
        this.limit = limit;
        return this;
    }

    /**
     * {@code csv} (the default) or {@code parquet}: Parquet slices, one string column per table column, with
     * Snappy-compressed pages while {@link #gzip} is on (they are never gzipped as a whole).
     */
    public TableExportOptions fileType(String fileType) {
        this.fileType = fileType;
        return this;
    }

    public TableExportOptions gzip(boolean gzip) {
        this.gzip = gzip;
        return this;
    }

    public List<String> columns() {
        return columns;
    }

    public String whereColumn() {
        return whereColumn;
    }

    public List<String> whereValues() {
        return whereValues;
    }

    public String whereOperator() {
        return whereOperator;
    }

    public String changedSince() {
        return changedSince;
    }

    public Long limit() {
        return limit;
    }

    public boolean gzip() {
        return gzip;
    }

    /** The file type asked for; null = the server's default, csv. */
    public String fileType() {
        return fileType;
    }

    /** Whether the export is a Parquet one. */
    public boolean parquet() {
        return "parquet".equals(fileType);
    }
}
