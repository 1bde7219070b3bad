package io.granary.core.port;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where table rows live. Every column is a string; each row also carries a hidden {@code _timestamp}
 * (the time of its last change) that {@link #columns} never lists. Each method is atomic: when it
 * throws, the table is exactly as it was. Calls for one table are serialised by the caller (the job
 * queue); calls for different tables may run at the same time.
 */
public interface TableBackend extends AutoCloseable {

    /** The name of the hidden change-time column. */
    String TIMESTAMP_COLUMN = "_timestamp";

    /**
     * A row filter: {@code column} {@code operator} any of {@code values} ({@code eq}, {@code ne}) or the one
     * value ({@code gt}, {@code ge}, {@code lt}, {@code le}; strings compare byte by byte). The record refuses
     * what no backend could run: no value, or more than one value for a comparison.
     */
    record WhereFilter(String column, Operator operator, List<String> values) {

        /** The filter operators, as clients spell them in lower case. */
        public enum Operator {
            EQ, NE, GT, GE, LT, LE;

            /** {@code eq}, {@code ne}, …: the spelling clients send. */
            public String wire() {
                return name().toLowerCase(Locale.ROOT);
            }

            /** Whether the operator matches any of several values (eq, ne) rather than compares to one. */
            public boolean takesManyValues() {
                return this == EQ || this == NE;
            }

            /**
             * As a client sends it: any case, surrounding spaces ignored, blank = eq; anything else is a 400
             * with the reference's text, {@code Invalid where operator <as sent>}.
             */
            public static Operator parse(String text) {
                if (text == null || text.isBlank()) {
                    return EQ;
                }
                String wire = text.strip().toLowerCase(Locale.ROOT);
                for (Operator o : values()) {
                    if (o.wire().equals(wire)) {
                        return o;
                    }
                }
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid where operator " + text);
            }
        }

        public WhereFilter {
            if (column == null || operator == null) {
                throw new IllegalArgumentException("a filter needs a column and an operator");
            }
            values = values == null ? List.of() : values.stream().map(v -> v == null ? "" : v).toList();
            if (values.isEmpty()) {
                throw new GranaryException(ErrorCode.INVALID_FILTER_VALUES,
                        "Invalid request: whereValues: give at least one value for column \"" + column + "\".");
            }
            if (!operator.takesManyValues() && values.size() != 1) {
                throw new GranaryException(ErrorCode.INVALID_FILTER_VALUES, "The filter operator \"" + operator.wire()
                        + "\" on column \"" + column + "\" takes exactly one value.");
            }
        }

        /** A filter with the operator as a client spells it ({@link Operator#parse}). */
        public static WhereFilter of(String column, String operator, List<String> values) {
            return new WhereFilter(column, Operator.parse(operator), values);
        }
    }

    /** Which rows: all filters must hold; {@code changedSince/Until} compare the hidden timestamp. */
    record RowSelection(List<WhereFilter> filters, Instant changedSince, Instant changedUntil) {
        public static final RowSelection ALL = new RowSelection(List.of(), null, null);

        public RowSelection {
            filters = filters == null ? List.of() : List.copyOf(filters);
        }
    }

    /**
     * A load. {@code files} are plain or gzip-compressed CSV (detected from their first bytes), read in
     * order; when {@code header} is true each file's first line is a header and is skipped.
     * {@code fileColumns} name the files' columns in file order (already sanitised, unique). Columns of
     * the table missing from {@code fileColumns} must not happen (the caller checks); file columns the
     * table lacks are added to it. With a {@code primaryKey}, rows are de-duplicated by it (the last
     * occurrence in the files wins) and, on an {@code incremental} load, replace existing rows with the
     * same key. A full load replaces all rows. Every loaded row gets {@code timestamp}.
     * <p>
     * {@code loadId} (may be null) makes a retried load idempotent: it is recorded in the same
     * transaction as the rows, and a later load of the same table with the same id changes nothing and
     * reports the rows the first one loaded. A job retried after a crash passes its job's id, so a load
     * that committed just before the crash is not applied twice. {@code retried} false says no earlier attempt
     * with this id can have run (a job's first start), so a backend may skip looking for one.
     * <p>
     * {@code before} (may be null) is the table's row count and size as the catalog last recorded them: a backend
     * may add what an incremental load staged to them instead of scanning the whole table, once a count it can
     * take cheaply agrees with them.
     */
    record LoadRequest(List<Path> files, boolean header, CsvDialect dialect, List<String> fileColumns,
            boolean incremental, List<String> primaryKey, Instant timestamp, String loadId, boolean retried,
            TableStats before) {
        public LoadRequest {
            files = List.copyOf(files);
            fileColumns = List.copyOf(fileColumns);
            primaryKey = List.copyOf(primaryKey);
        }

        /** A load without the table's recorded counts. */
        public LoadRequest(List<Path> files, boolean header, CsvDialect dialect, List<String> fileColumns,
                boolean incremental, List<String> primaryKey, Instant timestamp, String loadId, boolean retried) {
            this(files, header, dialect, fileColumns, incremental, primaryKey, timestamp, loadId, retried, null);
        }

        /** A load that may be a retry of one with the same {@code loadId}. */
        public LoadRequest(List<Path> files, boolean header, CsvDialect dialect, List<String> fileColumns,
                boolean incremental, List<String> primaryKey, Instant timestamp, String loadId) {
            this(files, header, dialect, fileColumns, incremental, primaryKey, timestamp, loadId, true);
        }
    }

    /** What a load did and how the table looks afterwards. */
    record LoadResult(long loadedRows, List<String> addedColumns, List<String> columns, long totalRows,
            long totalBytes) {
    }

    /**
     * An export of selected rows and columns (empty = all visible columns, in table order) as {@code fileType}
     * slices. Ordered by {@code orderBy} columns when given. {@code limit} null = all rows. {@code gzip} is
     * Keboola's flag: each CSV slice is a complete gzip stream; a Parquet slice has Snappy-compressed pages
     * (it is never gzipped as a whole), and without it uncompressed ones.
     */
    record ExportRequest(List<String> columns, RowSelection selection, List<String> orderBy, Long limit,
            FileType fileType, boolean gzip, boolean includeTimestamp) {
        public ExportRequest {
            columns = columns == null ? List.of() : List.copyOf(columns);
            orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
            selection = selection == null ? RowSelection.ALL : selection;
            fileType = fileType == null ? FileType.CSV : fileType;
        }

        /** A CSV export. */
        public ExportRequest(List<String> columns, RowSelection selection, List<String> orderBy, Long limit,
                boolean gzip, boolean includeTimestamp) {
            this(columns, selection, orderBy, limit, FileType.CSV, gzip, includeTimestamp);
        }
    }

    /**
     * What an export stored: the object keys of its slices in order (read in that order, they are the whole
     * result; every key starts with the target's {@link ExportTarget#keyPrefix()}), the rows and the columns
     * written, in slice order.
     */
    record ExportResult(List<String> slices, long rows, List<String> columns) {
        public ExportResult {
            slices = List.copyOf(slices);
            columns = List.copyOf(columns);
        }
    }

    /** Size of a table. */
    record TableStats(long rows, long bytes) {
    }

    /** Creates an empty table. Fails if it exists. */
    void createTable(TableRef table, List<String> columns);

    /** Removes a table and its rows; nothing happens when it does not exist. */
    void dropTable(TableRef table);

    boolean exists(TableRef table);

    /** Visible columns in order. */
    List<String> columns(TableRef table);

    /**
     * Loads CSV files. A malformed file (unclosed quote, wrong field count, invalid UTF-8, bad gzip)
     * fails with a {@link io.granary.core.error.GranaryException} whose message names the problem and,
     * where the engine knows it, the line; nothing changes.
     */
    LoadResult load(TableRef table, LoadRequest request, JobProgress progress);

    /**
     * Writes the selected rows as slices into {@code target} (see {@link ExportTarget} for the two ways to fill
     * it) and names them; File Storage then registers them as one sliced file. Always at least one slice.
     * <ul>
     * <li>CSV: no header, every value enclosed in {@code "} with {@code ""} for a quote, {@code ,} delimiter, LF
     *     line ends, UTF-8; with {@code gzip} each slice is a complete gzip stream. An empty result is one empty
     *     slice (with {@code gzip}, an empty gzip stream).</li>
     * <li>Parquet: each slice a complete Parquet file with one column per exported column, named exactly as the
     *     column (case kept), of type string ({@code BYTE_ARRAY} annotated as UTF-8: converted type {@code UTF8} or
     *     logical type {@code STRING}); values are never
     *     null ({@code ''} stays {@code ''}). An empty result is one Parquet file with that schema and no rows.</li>
     * </ul>
     * An ordered or limited export keeps its order across slices. On failure the backend throws and may leave
     * objects under the target's prefix, which File Storage removes; nothing is ever written outside it.
     *
     * @throws GranaryException {@link ErrorCode#TABLES_VALIDATION} for a column or filter the table does not have;
     *     {@link ErrorCode#NOT_IMPLEMENTED} for a file type {@link #exports} refuses
     */
    ExportResult export(TableRef table, ExportRequest request, ExportTarget target);

    /** Whether {@link #export} can write this file type; every backend writes CSV. */
    default boolean exports(FileType type) {
        return type == FileType.CSV;
    }

    /** Up to {@code limit} selected rows (bounded: callers pass at most 1000). */
    List<List<String>> preview(TableRef table, List<String> columns, RowSelection selection, int limit);

    /** Deletes the selected rows; returns how many. */
    long deleteRows(TableRef table, RowSelection selection);

    /** Adds an empty-string column. */
    void addColumn(TableRef table, String column);

    void dropColumn(TableRef table, String column);

    TableStats stats(TableRef table);

    /**
     * The memory the engine holds inside this process (scraped as metrics), or empty for an engine that runs in
     * another process (PostgreSQL, Trino). Cheap, and never waits for a running load or export.
     */
    default Optional<EngineMemory> memory() {
        return Optional.empty();
    }

    /**
     * @param limitBytes     the engine's memory limit ({@code --duckdb-memory})
     * @param usedBytes      what its buffer manager holds now, by what for (DuckDB's tags: BASE_TABLE, HASH_TABLE, …)
     * @param temporaryBytes what it has spilled to its temporary directory, by the same tags
     */
    record EngineMemory(long limitBytes, Map<String, Long> usedBytes, Map<String, Long> temporaryBytes) {
    }

    @Override
    void close();
}
