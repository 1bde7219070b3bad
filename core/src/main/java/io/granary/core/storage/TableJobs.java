package io.granary.core.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.csv.ColumnNames;
import io.granary.core.csv.CsvDialect;
import io.granary.core.csv.HeaderReader;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.ColumnRequest;
import io.granary.core.job.ImportSource;
import io.granary.core.job.JobOperations;
import io.granary.core.job.JobProgress;
import io.granary.core.job.JobService;
import io.granary.core.job.PrimaryKeyRequest;
import io.granary.core.job.RowsDeleteRequest;
import io.granary.core.job.TableCreateRequest;
import io.granary.core.job.TableDropRequest;
import io.granary.core.job.TableExportRequest;
import io.granary.core.job.TableImportRequest;
import io.granary.core.model.FileType;
import io.granary.core.model.Job;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Workspace;
import io.granary.core.port.Catalog;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.LoadResult;
import io.granary.core.port.WorkspaceBackend;
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

/**
 * What a worker runs for each accepted table request ({@link TableService} accepts them): Keboola's rules for
 * loading, exporting and changing tables on top of the catalog, File Storage and the {@link TableBackend}.
 * Every body re-reads the table, since jobs queued before it may have changed it.
 */
public final class TableJobs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalog catalog;
    private final TableBackend backend;
    private final FileService files;
    private final WorkspaceBackend workspaces;
    private final TableView view;
    private final Clock clock;
    private final Path tempDir;
    private final StorageErrors errors;

    /** @param workspaces null when the node has no workspaces (a load from one is then a 501) */
    public TableJobs(Catalog catalog, TableBackend backend, FileService files, WorkspaceBackend workspaces, TableView view,
            Clock clock, Path tempDir, StorageErrors errors) {
        this.catalog = catalog;
        this.backend = backend;
        this.files = files;
        this.workspaces = workspaces;
        this.view = view;
        this.clock = clock;
        this.tempDir = tempDir;
        this.errors = errors;
    }

    /** Registers the handler of every table job. */
    public void registerWith(JobService jobs) {
        jobs.register(JobOperations.TABLE_CREATE, (r, job, progress) -> render(create(r, progress)));
        jobs.register(JobOperations.TABLE_IMPORT, (r, job, progress) -> JSON.valueToTree(importRows(r, "job-" + job.id(),
                job.attempts() > 1, progress)));
        jobs.register(JobOperations.TABLE_EXPORT, this::export);
        jobs.register(JobOperations.TABLE_DROP, (r, job, progress) -> {
            drop(r);
            return JSON.createObjectNode();
        });
        jobs.register(JobOperations.TABLE_ROWS_DELETE, (r, job, progress) -> JSON.createObjectNode()
                .put("deletedRows", deleteRows(r)));
        jobs.register(JobOperations.TABLE_COLUMN_ADD, (r, job, progress) -> render(addColumn(r)));
        jobs.register(JobOperations.TABLE_COLUMN_DELETE, (r, job, progress) -> render(dropColumn(r)));
        jobs.register(JobOperations.TABLE_PRIMARY_KEY_ADD, (r, job, progress) -> render(setPrimaryKey(r)));
        jobs.register(JobOperations.TABLE_PRIMARY_KEY_DELETE, (r, job, progress) -> render(setPrimaryKey(r)));
    }

    private ObjectNode render(Table t) {
        return view.render(t, catalog.findBucket(t.ref().bucketId()).orElse(null));
    }

    // ---- loads

    /** Creates a table from its source: columns from its header (sanitised), then a full load. */
    Table create(TableCreateRequest r, JobProgress progress) {
        TableRef ref = r.table();
        if (catalog.findTable(ref.tableId()).isPresent()) {
            throw errors.tableExists(ref);
        }
        if (catalog.findBucket(ref.bucketId()).isEmpty()) {
            throw errors.bucketNotFound(ref.bucketId());
        }
        try (SourceRows rows = open(r.source(), r.dialect(), r.columns(), false)) {
            List<String> columns = rows.columns();
            List<String> missing = r.primaryKey().stream().filter(c -> !columns.contains(c)).toList();
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
                result = backend.load(ref, new LoadRequest(rows.files().paths(), rows.header(), rows.dialect(), columns,
                        false, r.primaryKey(), now, null), progress);
            } catch (RuntimeException e) {
                backend.dropTable(ref);
                throw e;
            }
            Table table = new Table(ref, result.columns(), r.primaryKey(), now, now, now, result.totalRows(),
                    result.totalBytes());
            if (!catalog.insertTable(table)) {
                backend.dropTable(ref);
                throw errors.tableExists(ref);
            }
            return table;
        }
    }

    /**
     * Loads the source into an existing table; returns the import results. {@code loadId} (the job's id) makes a
     * retry after a crash apply the rows once; {@code retried}: the job has started before.
     */
    Map<String, Object> importRows(TableImportRequest r, String loadId, boolean retried, JobProgress progress) {
        Table table = catalog.findTable(r.tableId()).orElseThrow(() -> errors.tableNotFound(r.tableId()));
        try (SourceRows rows = open(r.source(), r.dialect(), r.columns(), r.withoutHeaders())) {
            List<String> columns = rows.columns();
            List<String> missing = table.columns().stream().filter(c -> !columns.contains(c)).toList();
            if (!missing.isEmpty()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("missingColumns", missing);
                details.put("expectedColumns", table.columns());
                throw new GranaryException(ErrorCode.COLUMNS_NOT_MATCH, "Some columns are missing in the csv file. "
                        + "Missing columns: " + String.join(",", missing) + ". Expected columns: "
                        + String.join(",", table.columns()) + ". Please check if the expected delimiter \""
                        + rows.dialect().delimiter() + "\" is used in the csv file.", details, null);
            }
            Instant now = clock.instant();
            LoadResult result = backend.load(table.ref(), new LoadRequest(rows.files().paths(), rows.header(),
                    rows.dialect(), columns, r.incremental(), table.primaryKey(), now, loadId, retried,
                    new TableBackend.TableStats(table.rowsCount(), table.dataSizeBytes())), progress);
            catalog.updateTable(table.withColumns(result.columns()).withStats(result.totalRows(), result.totalBytes(), now,
                    now));
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("importedColumns", columns);
            results.put("warnings", List.of());
            results.put("totalRowsCount", result.totalRows());
            results.put("totalDataSizeBytes", result.totalBytes());
            results.put("transaction", null);
            return results;
        }
    }

    /** A source's rows as local CSV files: whether they start with a header, the (sanitised) columns they hold. */
    private record SourceRows(LocalFiles files, boolean header, List<String> columns, CsvDialect dialect)
            implements AutoCloseable {
        @Override
        public void close() {
            files.close();
        }
    }

    private SourceRows open(ImportSource source, CsvDialect dialect, List<String> given, boolean withoutHeaders) {
        if (source instanceof ImportSource.FileSource f) {
            StoredFile file = catalog.findFile(f.fileId()).orElseThrow(() -> FileService.notFound(f.fileId()));
            LocalFiles local = files.localFiles(file, tempDir);
            try {
                List<String> columns = fileColumns(file, local, dialect, given, withoutHeaders);
                return new SourceRows(local, !file.isSliced() && !withoutHeaders, columns, dialect);
            } catch (RuntimeException e) {
                local.close();
                throw e;
            }
        }
        if (source instanceof ImportSource.WorkspaceSource w) {
            return unload(w, given);
        }
        throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Loading from " + source + " is not implemented.");
    }

    /**
     * A workspace table written out as CSV slices by the workspace's own login. {@code given} names workspace columns
     * to take (empty = all but {@code _timestamp}, which is the change time of rows loaded into the workspace).
     */
    private SourceRows unload(ImportSource.WorkspaceSource w, List<String> given) {
        if (workspaces == null) {
            throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Workspaces are not available on this table backend.");
        }
        Workspace workspace = catalog.findWorkspace(w.workspaceId())
                .orElseThrow(() -> WorkspaceService.notFound(w.workspaceId()));
        List<String> available = workspaces.columns(workspace.id(), w.object());
        List<String> picked = given.isEmpty()
                ? available.stream().filter(c -> !c.equalsIgnoreCase(TableBackend.TIMESTAMP_COLUMN)).toList()
                : pick(available, given, w.object(), workspace);
        List<String> columns = ColumnNames.sanitizeHeader(picked);
        Path dir;
        try {
            dir = Files.createTempDirectory(tempDir, "unload-");
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot create a temporary directory: " + e.getMessage(), e);
        }
        try {
            WorkspaceBackend.Unload slices = workspaces.export(workspace.id(), w.object(), picked, dir);
            List<Path> temporary = new ArrayList<>(slices.slices());
            temporary.add(dir); // last: removed once empty
            return new SourceRows(new LocalFiles(slices.slices(), temporary), false, columns, CsvDialect.RFC);
        } catch (RuntimeException e) {
            FileTrees.delete(dir);
            throw e;
        }
    }

    /** The workspace's spelling of each given column: the same name, else the only one equal ignoring case. */
    private static List<String> pick(List<String> available, List<String> given, String object, Workspace workspace) {
        List<String> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String g : given) {
            String found = available.contains(g) ? g : null;
            if (found == null) {
                List<String> similar = available.stream().filter(a -> a.equalsIgnoreCase(g)).toList();
                found = similar.size() == 1 ? similar.get(0) : null;
            }
            if (found == null) {
                missing.add(g);
            } else {
                out.add(found);
            }
        }
        if (!missing.isEmpty()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request: columns: columns "
                    + String.join(", ", missing) + " not found in table \"" + object + "\" in schema \"" + workspace.name()
                    + "\". It has: " + String.join(", ", available) + ".");
        }
        return out;
    }

    private List<String> fileColumns(StoredFile file, LocalFiles local, CsvDialect dialect, List<String> given,
            boolean withoutHeaders) {
        if (!given.isEmpty()) {
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

    // ---- export

    /** The tags of an export file; a merged one also carries the tag Keboola's UI gives its merged exports. */
    static final String EXPORT_TAG = "table-export";
    static final String MERGED_EXPORT_TAG = "storage-merged-export";

    /**
     * Exports the selected rows to a new sliced file tagged {@code table-export}: the backend writes the slices
     * straight under the file's key, then File Storage records the file; a failed export leaves nothing. When
     * {@code merged}, the slices are then streamed into one file (header line + the slices), recorded instead and
     * tagged also {@code storage-merged-export}, and the slices removed.
     */
    private ObjectNode export(TableExportRequest r, Job job, JobProgress progress) throws IOException {
        Table table = catalog.findTable(r.tableId()).orElseThrow(() -> errors.tableNotFound(r.tableId()));
        ExportFiles exports = files.exports();
        ExportFiles.Pending pending = exports.start(exportName(table, r), r.fileType(), List.of(EXPORT_TAG),
                job.creatorTokenId(), job.creatorTokenDescription(), job.runId());
        Path scratch = Files.createTempDirectory(tempDir, "export-");
        StoredFile file;
        long exportedRows;
        try {
            ExportResult result;
            try {
                result = backend.export(table.ref(), new ExportRequest(r.columns(), r.selection(), r.orderBy(), r.limit(),
                        r.fileType(), r.gzip(), false), exports.target(pending, scratch));
            } catch (RuntimeException e) {
                exports.discard(pending, e);
                throw e;
            }
            // the export's size is known only now: its one progress report (the job's metrics read it)
            exportedRows = result.rows();
            if (r.merged()) {
                Path merged;
                try {
                    merged = MergedExport.write(result.columns(), result.slices(), exports::openSlice, r.gzip(),
                            scratch.resolve("merged"));
                } finally {
                    exports.remove(pending);
                }
                file = files.storeSingle(job.creatorTokenId(), job.creatorTokenDescription(), pending.name(),
                        List.of(EXPORT_TAG, MERGED_EXPORT_TAG), merged, job.runId());
            } else {
                file = exports.register(pending, result.slices());
            }
        } finally {
            try {
                FileTrees.delete(scratch);
            } catch (RuntimeException ignored) {
                // temp leftovers are removed at the next start
            }
        }
        progress.report(file.sizeBytes() == null ? 0 : file.sizeBytes(), exportedRows);
        ObjectNode results = JSON.createObjectNode();
        results.putObject("file").put("id", file.id());
        results.put("cacheHit", false);
        return results;
    }

    // a Parquet file is never gzipped as a whole: its pages are compressed inside
    private static String exportName(Table table, TableExportRequest r) {
        return table.ref().name() + (r.fileType() == FileType.PARQUET ? ".parquet" : r.gzip() ? ".csv.gz" : ".csv");
    }

    // ---- changes

    void drop(TableDropRequest r) {
        catalog.findTable(r.tableId()).ifPresent(t -> {
            backend.dropTable(t.ref());
            catalog.deleteTable(t.id());
            catalog.deleteMetadata(t.id());
        });
    }

    long deleteRows(RowsDeleteRequest r) {
        Table table = catalog.findTable(r.tableId()).orElseThrow(() -> errors.tableNotFound(r.tableId()));
        long deleted = backend.deleteRows(table.ref(), r.selection());
        refreshStats(table, deleted > 0);
        return deleted;
    }

    Table addColumn(ColumnRequest r) {
        Table table = catalog.findTable(r.tableId()).orElseThrow(() -> errors.tableNotFound(r.tableId()));
        String column = r.column();
        ColumnNames.check(column == null ? "" : column, column);
        if (table.columns().contains(column)) {
            throw new GranaryException(ErrorCode.COLUMN_ALREADY_EXISTS, "Column \"" + column + "\" already exists in table "
                    + table.id() + ".");
        }
        backend.addColumn(table.ref(), column);
        return refreshStats(table.withColumns(backend.columns(table.ref())), true);
    }

    Table dropColumn(ColumnRequest r) {
        Table table = catalog.findTable(r.tableId()).orElseThrow(() -> errors.tableNotFound(r.tableId()));
        String column = r.column();
        if (!table.columns().contains(column)) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Column \"" + column + "\" not found in table "
                    + table.id() + ".");
        }
        if (table.primaryKey().contains(column)) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Cannot remove column \"" + column
                    + "\": it is part of the primary key. Remove the primary key first.");
        }
        if (table.columns().size() == 1) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Cannot remove the last column of table "
                    + table.id() + ".");
        }
        backend.dropColumn(table.ref(), column);
        return refreshStats(table.withColumns(backend.columns(table.ref())), true);
    }

    Table setPrimaryKey(PrimaryKeyRequest r) {
        Table table = catalog.findTable(r.tableId()).orElseThrow(() -> errors.tableNotFound(r.tableId()));
        List<String> columns = r.columns();
        if (!table.primaryKey().isEmpty() && !columns.isEmpty()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Table " + table.id()
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

    private Table refreshStats(Table table, boolean changed) {
        var stats = backend.stats(table.ref());
        Instant changeDate = changed ? clock.instant() : table.lastChangeDate();
        Table updated = table.withStats(stats.rows(), stats.bytes(), table.lastImportDate(), changeDate);
        catalog.updateTable(updated);
        return updated;
    }
}
