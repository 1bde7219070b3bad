package io.granary.core.storage;

import io.granary.core.csv.ColumnNames;
import io.granary.core.csv.CsvDialect;
import io.granary.core.csv.HeaderReader;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.Permission;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.LoadResult;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.util.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Table Storage: Keboola's rules for creating, loading, exporting and changing tables, on top of the
 * catalog (metadata), File Storage (input and output files) and a {@link TableBackend} (rows).
 * Methods named {@code check…} validate a request before its job is queued; the others are job bodies.
 */
public final class TableService {

    /** How a load reads its file. {@code columns} null = from the header. */
    public record ImportOptions(long dataFileId, boolean incremental, CsvDialect dialect, List<String> columns,
            boolean withoutHeaders) {
    }

    /**
     * What an export writes. {@code merged}: one file with a header line instead of a sliced file (Granary's
     * option; Keboola's UI gets the same from its merged-export component).
     */
    public record ExportOptions(List<String> columns, RowSelection selection, List<String> orderBy, Long limit,
            boolean gzip, boolean merged) {
    }

    /** The tags of an export file; a merged one also carries the tag Keboola's UI gives its merged exports. */
    public static final String EXPORT_TAG = "table-export";
    public static final String MERGED_EXPORT_TAG = "storage-merged-export";

    public static final int MAX_TABLE_NAME_LENGTH = 96;
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    private final Catalog catalog;
    private final TableBackend backend;
    private final BucketService buckets;
    private final FileService files;
    private final Clock clock;
    private final Path tempDir;

    public TableService(Catalog catalog, TableBackend backend, BucketService buckets, FileService files, Clock clock,
            Path tempDir) {
        this.catalog = catalog;
        this.backend = backend;
        this.buckets = buckets;
        this.files = files;
        this.clock = clock;
        this.tempDir = tempDir;
    }

    // ---- reads

    public List<Table> list(Token caller, String bucketId) {
        if (bucketId != null) {
            buckets.get(caller, bucketId);
        }
        return catalog.listTables(bucketId).stream().filter(t -> caller.can(t.ref().bucketId(), Permission.READ)).toList();
    }

    public Table get(Token caller, String tableId) {
        return require(caller, tableId, Permission.READ);
    }

    /** The table if the caller holds {@code needed} on its bucket; 404 when either does not exist. */
    public Table require(Token caller, String tableId, Permission needed) {
        TableRef ref = TableRef.parse(tableId);
        if (ref == null) {
            throw notFound(tableId);
        }
        buckets.require(caller, ref.bucketId(), needed);
        return catalog.findTable(tableId).orElseThrow(() -> notFound(tableId));
    }

    public List<List<String>> preview(Token caller, String tableId, List<String> columns, RowSelection selection,
            int limit) {
        Table table = get(caller, tableId);
        List<String> cols = columns == null || columns.isEmpty() ? table.columns() : columns;
        checkColumnsExist(table, cols, "columns");
        checkSelection(table, selection);
        return backend.preview(table.ref(), cols, selection, limit);
    }

    // ---- checks before a job is queued

    public TableRef checkCreate(Token caller, String bucketId, String name, long dataFileId) {
        buckets.require(caller, bucketId, Permission.WRITE);
        if (name == null || name.isBlank()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - name: \"This value should not be blank.\"");
        }
        if (name.length() > MAX_TABLE_NAME_LENGTH) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - name: \"'" + name
                    + "' is more than " + MAX_TABLE_NAME_LENGTH + " characters long\"");
        }
        if (!TABLE_NAME.matcher(name).matches()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - name: \"'" + name
                    + "' contains not allowed characters. Only alphanumeric characters dash and underscores are allowed.\"");
        }
        TableRef ref = new TableRef(bucketId, name);
        if (catalog.findTable(ref.tableId()).isPresent()) {
            throw alreadyExists(ref);
        }
        files.require(caller, dataFileId);
        return ref;
    }

    public Table checkImport(Token caller, String tableId, long dataFileId) {
        Table table = require(caller, tableId, Permission.WRITE);
        files.require(caller, dataFileId);
        return table;
    }

    public Table checkExport(Token caller, String tableId, ExportOptions options) {
        Table table = require(caller, tableId, Permission.READ);
        if (options.columns() != null && !options.columns().isEmpty()) {
            checkColumnsExist(table, options.columns(), "columns");
        }
        checkSelection(table, options.selection());
        return table;
    }

    // ---- job bodies

    /** Creates a table from a file: columns from its header (sanitised), then a full load. */
    public Table create(long creatorTokenId, TableRef ref, long dataFileId, CsvDialect dialect, List<String> primaryKey,
            JobProgress progress) {
        if (catalog.findTable(ref.tableId()).isPresent()) {
            throw alreadyExists(ref);
        }
        if (catalog.findBucket(ref.bucketId()).isEmpty()) {
            throw BucketService.notFound(ref.bucketId());
        }
        StoredFile file = catalog.findFile(dataFileId).orElseThrow(() -> FileService.notFound(dataFileId));
        try (LocalFiles local = files.localFiles(file, tempDir)) {
            List<String> columns = fileColumns(file, local, dialect, null, false);
            List<String> pk = primaryKey == null ? List.of() : primaryKey;
            List<String> missing = pk.stream().filter(c -> !columns.contains(c)).toList();
            if (!missing.isEmpty()) {
                throw new GranaryException(ErrorCode.INVALID_PRIMARY_KEY, "Primary key columns " + String.join(", ", missing)
                        + " are not among the table columns: " + String.join(", ", columns) + ".");
            }
            // a crash between backend create and catalog insert leaves an orphan that a retry removes
            backend.dropTable(ref);
            backend.createTable(ref, columns);
            Instant now = clock.instant();
            LoadResult result;
            try {
                result = backend.load(ref, new LoadRequest(local.paths(), !file.isSliced(), dialect, columns, false, pk, now, null),
                        progress);
            } catch (RuntimeException e) {
                backend.dropTable(ref);
                throw e;
            }
            Table table = new Table(ref, result.columns(), pk, now, now, now, result.totalRows(), result.totalBytes());
            if (!catalog.insertTable(table)) {
                backend.dropTable(ref);
                throw alreadyExists(ref);
            }
            return table;
        }
    }

    /**
     * Loads a file into an existing table; returns the import results. {@code loadId} (the job's id) makes a
     * retry after a crash apply the rows once.
     */
    public Map<String, Object> importFile(String tableId, ImportOptions options, String loadId, JobProgress progress) {
        Table table = catalog.findTable(tableId).orElseThrow(() -> notFound(tableId));
        StoredFile file = catalog.findFile(options.dataFileId()).orElseThrow(() -> FileService.notFound(options.dataFileId()));
        try (LocalFiles local = files.localFiles(file, tempDir)) {
            List<String> columns = fileColumns(file, local, options.dialect(), options.columns(), options.withoutHeaders());
            List<String> missing = table.columns().stream().filter(c -> !columns.contains(c)).toList();
            if (!missing.isEmpty()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("missingColumns", missing);
                details.put("expectedColumns", table.columns());
                throw new GranaryException(ErrorCode.COLUMNS_NOT_MATCH, "Some columns are missing in the csv file. "
                        + "Missing columns: " + String.join(",", missing) + ". Expected columns: "
                        + String.join(",", table.columns()) + ". Please check if the expected delimiter \""
                        + options.dialect().delimiter() + "\" is used in the csv file.", details, null);
            }
            boolean header = !file.isSliced() && !options.withoutHeaders();
            Instant now = clock.instant();
            LoadResult result = backend.load(table.ref(), new LoadRequest(local.paths(), header, options.dialect(), columns,
                    options.incremental(), table.primaryKey(), now, loadId), progress);
            catalog.updateTable(table.withColumns(result.columns()).withStats(result.totalRows(), result.totalBytes(), now, now));
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("importedColumns", columns);
            results.put("warnings", List.of());
            results.put("totalRowsCount", result.totalRows());
            results.put("totalDataSizeBytes", result.totalBytes());
            results.put("transaction", null);
            return results;
        }
    }

    /**
     * Exports selected rows to a new sliced file tagged {@code table-export} or, {@link ExportOptions#merged}, to
     * one file (header line + the slices) tagged also {@code storage-merged-export}; returns that file.
     */
    public StoredFile export(long creatorTokenId, String creatorDescription, String tableId, ExportOptions options,
            String runId) throws IOException {
        Table table = catalog.findTable(tableId).orElseThrow(() -> notFound(tableId));
        Path dir = Files.createTempDirectory(tempDir, "export-");
        try {
            var result = backend.export(table.ref(), new ExportRequest(options.columns(), options.selection(),
                    options.orderBy(), options.limit(), options.gzip(), false), dir);
            String name = table.ref().name() + ".csv" + (options.gzip() ? ".gz" : "");
            if (options.merged()) {
                Path merged = MergedExport.write(result.columns(), result.slices(), options.gzip(), dir.resolve("merged"));
                return files.storeSingle(creatorTokenId, creatorDescription, name, List.of(EXPORT_TAG, MERGED_EXPORT_TAG),
                        merged, runId);
            }
            return files.storeSliced(creatorTokenId, creatorDescription, name, List.of(EXPORT_TAG), result.slices(),
                    options.gzip() ? ".csv.gz" : ".csv", runId);
        } finally {
            try {
                FileTrees.delete(dir);
            } catch (RuntimeException ignored) {
                // temp leftovers are removed at the next start
            }
        }
    }

    public void drop(String tableId) {
        catalog.findTable(tableId).ifPresent(t -> {
            backend.dropTable(t.ref());
            catalog.deleteTable(tableId);
            catalog.deleteMetadata(tableId);
        });
    }

    public long deleteRows(String tableId, RowSelection selection) {
        Table table = catalog.findTable(tableId).orElseThrow(() -> notFound(tableId));
        checkSelection(table, selection);
        long deleted = backend.deleteRows(table.ref(), selection);
        refreshStats(table, deleted > 0);
        return deleted;
    }

    public Table addColumn(String tableId, String column) {
        Table table = catalog.findTable(tableId).orElseThrow(() -> notFound(tableId));
        ColumnNames.check(column == null ? "" : column, column);
        if (table.columns().contains(column)) {
            throw new GranaryException(ErrorCode.COLUMN_ALREADY_EXISTS, "Column \"" + column + "\" already exists in table "
                    + tableId + ".");
        }
        backend.addColumn(table.ref(), column);
        return refreshStats(table.withColumns(backend.columns(table.ref())), true);
    }

    public Table dropColumn(String tableId, String column) {
        Table table = catalog.findTable(tableId).orElseThrow(() -> notFound(tableId));
        if (!table.columns().contains(column)) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Column \"" + column + "\" not found in table " + tableId + ".");
        }
        if (table.primaryKey().contains(column)) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Cannot remove column \"" + column
                    + "\": it is part of the primary key. Remove the primary key first.");
        }
        if (table.columns().size() == 1) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Cannot remove the last column of table " + tableId + ".");
        }
        backend.dropColumn(table.ref(), column);
        return refreshStats(table.withColumns(backend.columns(table.ref())), true);
    }

    public Table setPrimaryKey(String tableId, List<String> columns) {
        Table table = catalog.findTable(tableId).orElseThrow(() -> notFound(tableId));
        if (!table.primaryKey().isEmpty() && !columns.isEmpty()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Table " + tableId
                    + " already has a primary key. Remove it first.");
        }
        List<String> missing = columns.stream().filter(c -> !table.columns().contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new GranaryException(ErrorCode.INVALID_PRIMARY_KEY, "Primary key columns " + String.join(", ", missing)
                    + " are not among the table columns: " + String.join(", ", table.columns()) + ".");
        }
        Table updated = table.withPrimaryKey(columns);
        catalog.updateTable(updated);
        return updated;
    }

    public static GranaryException notFound(String tableId) {
        TableRef ref = TableRef.parse(tableId);
        String message = ref == null ? "The table \"" + tableId + "\" was not found."
                : "The table \"" + ref.name() + "\" was not found in the bucket \"" + ref.bucketId() + "\" in the project \"1\"";
        return new GranaryException(ErrorCode.TABLES_NOT_FOUND, message);
    }

    // ---- helpers

    private Table refreshStats(Table table, boolean changed) {
        var stats = backend.stats(table.ref());
        Instant changeDate = changed ? clock.instant() : table.lastChangeDate();
        Table updated = table.withStats(stats.rows(), stats.bytes(), table.lastImportDate(), changeDate);
        catalog.updateTable(updated);
        return updated;
    }

    private List<String> fileColumns(StoredFile file, LocalFiles local, CsvDialect dialect, List<String> given,
            boolean withoutHeaders) {
        if (given != null && !given.isEmpty()) {
            return ColumnNames.sanitizeHeader(given);
        }
        if (file.isSliced()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "File " + file.id()
                    + " is sliced: slices have no header, so give the columns of the file in \"columns\".");
        }
        if (withoutHeaders) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                    "With \"withoutHeaders\" the file has no header: give its columns in \"columns\".");
        }
        return ColumnNames.sanitizeHeader(HeaderReader.read(local.paths().get(0), dialect));
    }

    private static void checkColumnsExist(Table table, List<String> columns, String parameter) {
        List<String> unknown = columns.stream().filter(c -> !table.columns().contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request: " + parameter + ": columns "
                    + String.join(", ", unknown) + " not found in table " + table.id() + ".");
        }
    }

    private static void checkSelection(Table table, RowSelection selection) {
        if (selection == null) {
            return;
        }
        for (var f : selection.filters()) {
            if (!table.columns().contains(f.column())) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request: whereColumn: column \""
                        + f.column() + "\" not found in table " + table.id() + ".");
            }
            if (!List.of("eq", "ne", "gt", "ge", "lt", "le").contains(f.operator())) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request: whereOperator: \""
                        + f.operator() + "\" is not one of eq, ne, gt, ge, lt, le.");
            }
            if (f.values().isEmpty()) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                        "Invalid request: whereValues: give at least one value for column \"" + f.column() + "\".");
            }
        }
    }

    private static GranaryException alreadyExists(TableRef ref) {
        return new GranaryException(ErrorCode.TABLE_ALREADY_EXISTS, "The table \"" + ref.name()
                + "\" already exists in the bucket \"" + ref.bucketId() + "\".");
    }

    /** Ids of the tables in a bucket (for bucket deletion). */
    public List<String> tableIds(String bucketId) {
        List<String> ids = new ArrayList<>();
        catalog.listTables(bucketId).forEach(t -> ids.add(t.id()));
        return ids;
    }
}
