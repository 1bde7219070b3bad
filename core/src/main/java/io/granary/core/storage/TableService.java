package io.granary.core.storage;

import io.granary.core.csv.ColumnNames;
import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.ColumnRequest;
import io.granary.core.job.ImportSource;
import io.granary.core.job.JobOperations;
import io.granary.core.job.JobOrigin;
import io.granary.core.job.JobService;
import io.granary.core.job.PrimaryKeyRequest;
import io.granary.core.job.RowsDeleteRequest;
import io.granary.core.job.TableCreateRequest;
import io.granary.core.job.TableDropRequest;
import io.granary.core.job.TableExportRequest;
import io.granary.core.job.TableImportRequest;
import io.granary.core.model.FileType;
import io.granary.core.model.Job;
import io.granary.core.model.JobLock;
import io.granary.core.model.Permission;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Table Storage's use cases: reads, and the acceptance of every change and export. A change is validated
 * and authorised here, resolved into a typed job request (absolute times, checked operators, defaults),
 * queued under its table's lock and answered with the job; {@link TableJobs} runs it. Every change of a
 * table goes through the table's lock, drops included, so it never interleaves with a load.
 */
public final class TableService {

    /**
     * A new table from a source ({@code tables-async}); {@code columns} (null or empty = all) picks columns of a
     * workspace table, as an import's {@code columns} do.
     */
    public record CreateInput(String name, ImportSource source, CsvDialect dialect, List<String> primaryKey,
            List<String> columns) {
        public CreateInput(String name, ImportSource source, CsvDialect dialect, List<String> primaryKey) {
            this(name, source, dialect, primaryKey, null);
        }
    }

    /** A load into an existing table; {@code columns} empty = from the source's header. */
    public record ImportInput(ImportSource source, boolean incremental, CsvDialect dialect, List<String> columns,
            boolean withoutHeaders) {
    }

    /** An export; {@code limit} null = all rows; {@code merged}: one CSV file with a header (see TableExportRequest). */
    public record ExportInput(List<String> columns, SelectionInput selection, List<String> orderBy, Long limit,
            boolean gzip, FileType fileType, boolean merged) {
    }

    /** Rows of a preview under the columns they are in. */
    public record Preview(List<String> columns, List<List<String>> rows) {
    }

    public static final int MAX_TABLE_NAME_LENGTH = 96;
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    private final Catalog catalog;
    private final TableBackend backend;
    private final BucketService buckets;
    private final FileService files;
    private final WorkspaceService workspaces;
    private final JobService jobs;
    private final Clock clock;
    private final StorageErrors errors;

    public TableService(Catalog catalog, TableBackend backend, BucketService buckets, FileService files,
            WorkspaceService workspaces, JobService jobs, Clock clock, StorageErrors errors) {
        this.catalog = catalog;
        this.backend = backend;
        this.buckets = buckets;
        this.files = files;
        this.workspaces = workspaces;
        this.jobs = jobs;
        this.clock = clock;
        this.errors = errors;
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
            throw errors.tableNotFound(tableId);
        }
        buckets.require(caller, ref.bucketId(), needed);
        return catalog.findTable(tableId).orElseThrow(() -> errors.tableNotFound(tableId));
    }

    /** Up to {@code limit} selected rows of {@code columns} (empty = all columns). */
    public Preview preview(Token caller, String tableId, List<String> columns, SelectionInput selection, int limit) {
        Table table = get(caller, tableId);
        Instant now = clock.instant();
        Instant since = TimeExpression.resolve("changedSince", selection.changedSince(), now);
        Instant until = TimeExpression.resolve("changedUntil", selection.changedUntil(), now);
        List<String> cols = columns == null || columns.isEmpty() ? table.columns() : columns;
        checkColumnsExist(table, cols, "columns");
        RowSelection rows = new RowSelection(filters(table, selection.filters()), since, until);
        return new Preview(cols, backend.preview(table.ref(), cols, rows, limit));
    }

    // ---- loads

    public Job submitCreate(Token caller, String bucketId, CreateInput input, JobOrigin origin) {
        buckets.require(caller, bucketId, Permission.WRITE);
        String name = input.name();
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
            throw errors.tableExists(ref);
        }
        if (input.columns() != null && !input.columns().isEmpty()
                && !(input.source() instanceof ImportSource.WorkspaceSource)) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - columns: \"A new table takes the"
                    + " columns of its file's header; columns are for a table made from a workspace (dataWorkspaceId).\"");
        }
        checkSource(caller, input.source());
        return jobs.submit(JobOperations.TABLE_CREATE, createRequest(ref, input), ref.tableId(), JobLock.table(ref), caller,
                origin);
    }

    public Job submitImport(Token caller, String tableId, ImportInput input, JobOrigin origin) {
        Table table = require(caller, tableId, Permission.WRITE);
        checkSource(caller, input.source());
        return submit(JobOperations.TABLE_IMPORT, importRequest(table.id(), input), table, caller, origin);
    }

    private void checkSource(Token caller, ImportSource source) {
        if (source instanceof ImportSource.FileSource f) {
            files.require(caller, f.fileId());
        } else if (source instanceof ImportSource.WorkspaceSource w) {
            workspaces.require(caller, w.workspaceId());
            String object = w.object();
            if (object == null || object.isBlank()) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                        "Invalid request:\n - dataObject: \"This value should not be blank.\"");
            }
            if (object.length() > 255 || object.indexOf('\0') >= 0) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - dataObject: \"Not a table"
                        + " name of a workspace.\"");
            }
        }
    }

    // ---- export

    public Job submitExport(Token caller, String tableId, ExportInput input, JobOrigin origin) {
        FileType type = input.fileType() == null ? FileType.CSV : input.fileType();
        if (!backend.exports(type)) {
            throw FileType.notImplemented(type.wire());
        }
        if (input.merged() && type != FileType.CSV) {
            throw GranaryException.validation("Invalid request: merged: only a CSV export can be merged into one file.");
        }
        Instant now = clock.instant();
        SelectionInput selection = input.selection() == null ? SelectionInput.ALL : input.selection();
        Instant since = TimeExpression.resolve("changedSince", selection.changedSince(), now);
        Instant until = TimeExpression.resolve("changedUntil", selection.changedUntil(), now);
        Table table = require(caller, tableId, Permission.READ);
        List<String> columns = input.columns() == null ? List.of() : input.columns();
        checkColumnsExist(table, columns, "columns");
        RowSelection rows = new RowSelection(filters(table, selection.filters()), since, until);
        List<String> orderBy = input.orderBy() == null ? List.of() : input.orderBy();
        checkColumnsExist(table, orderBy, "orderBy");
        TableExportRequest request = new TableExportRequest(table.id(), columns, rows, orderBy, input.limit(), input.gzip(),
                type, input.merged());
        return submit(JobOperations.TABLE_EXPORT, request, table, caller, origin);
    }

    // ---- changes

    public Job submitDrop(Token caller, String tableId, JobOrigin origin) {
        Table table = require(caller, tableId, Permission.WRITE);
        return submit(JobOperations.TABLE_DROP, new TableDropRequest(table.id()), table, caller, origin);
    }

    /** Deletes the selected rows; selecting all of them needs {@code allowTruncate}. */
    public Job submitRowsDelete(Token caller, String tableId, SelectionInput selection, boolean allowTruncate,
            JobOrigin origin) {
        Table table = require(caller, tableId, Permission.WRITE);
        Instant now = clock.instant();
        Instant since = TimeExpression.resolve("changedSince", selection.changedSince(), now);
        Instant until = TimeExpression.resolve("changedUntil", selection.changedUntil(), now);
        if (selection.filters().isEmpty() && since == null && until == null && !allowTruncate) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                    "No filter given: deleting all rows needs allowTruncate=true.");
        }
        RowSelection rows = new RowSelection(filters(table, selection.filters()), since, until);
        return submit(JobOperations.TABLE_ROWS_DELETE, new RowsDeleteRequest(table.id(), rows), table, caller, origin);
    }

    public Job submitColumnAdd(Token caller, String tableId, String column, JobOrigin origin) {
        Table table = require(caller, tableId, Permission.WRITE);
        ColumnNames.check(column == null ? "" : column, column);
        return submit(JobOperations.TABLE_COLUMN_ADD, new ColumnRequest(table.id(), column), table, caller, origin);
    }

    public Job submitColumnDrop(Token caller, String tableId, String column, JobOrigin origin) {
        Table table = require(caller, tableId, Permission.WRITE);
        return submit(JobOperations.TABLE_COLUMN_DELETE, new ColumnRequest(table.id(), column), table, caller, origin);
    }

    public Job submitPrimaryKey(Token caller, String tableId, List<String> columns, JobOrigin origin) {
        Table table = require(caller, tableId, Permission.WRITE);
        if (columns == null || columns.isEmpty()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                    "Invalid request:\n - columns: \"This value should not be blank.\"");
        }
        return submit(JobOperations.TABLE_PRIMARY_KEY_ADD, new PrimaryKeyRequest(table.id(), columns), table, caller,
                origin);
    }

    public Job submitPrimaryKeyDrop(Token caller, String tableId, JobOrigin origin) {
        Table table = require(caller, tableId, Permission.WRITE);
        return submit(JobOperations.TABLE_PRIMARY_KEY_DELETE, new PrimaryKeyRequest(table.id(), List.of()), table, caller,
                origin);
    }

    private <R> Job submit(io.granary.core.job.JobOperation<R> operation, R request, Table table, Token caller,
            JobOrigin origin) {
        return jobs.submit(operation, request, table.id(), JobLock.table(table.ref()), caller, origin);
    }

    // ---- requests from inputs (also for jobs stored by older versions, which kept only the client's parameters)

    public static TableCreateRequest createRequest(TableRef table, CreateInput input) {
        return new TableCreateRequest(table, input.source(), input.dialect(), input.primaryKey(), input.columns());
    }

    public static TableImportRequest importRequest(String tableId, ImportInput input) {
        return new TableImportRequest(tableId, input.source(), input.incremental(), input.dialect(), input.columns(),
                input.withoutHeaders());
    }

    public static TableExportRequest exportRequest(String tableId, ExportInput input, Instant now) {
        SelectionInput selection = input.selection() == null ? SelectionInput.ALL : input.selection();
        return new TableExportRequest(tableId, input.columns(), selection(selection, now), input.orderBy(), input.limit(),
                input.gzip(), input.fileType(), input.merged());
    }

    /** The backend's selection for a client's, times resolved at {@code now}; the table's columns are not checked. */
    public static RowSelection selection(SelectionInput input, Instant now) {
        List<WhereFilter> filters = new ArrayList<>();
        for (SelectionInput.Filter f : input.filters()) {
            filters.add(WhereFilter.of(f.column(), f.operator(), f.values()));
        }
        return new RowSelection(filters, TimeExpression.resolve("changedSince", input.changedSince(), now),
                TimeExpression.resolve("changedUntil", input.changedUntil(), now));
    }

    // ---- checks

    /** The filters, each checked against the table's columns first, then its operator and values. */
    static List<WhereFilter> filters(Table table, List<SelectionInput.Filter> filters) {
        List<WhereFilter> out = new ArrayList<>();
        for (SelectionInput.Filter f : filters) {
            if (!table.columns().contains(f.column())) {
                throw new GranaryException(ErrorCode.COLUMN_NOT_EXISTS, "Invalid request: whereColumn: column \""
                        + f.column() + "\" not found in table " + table.id() + ".");
            }
            out.add(WhereFilter.of(f.column(), f.operator(), f.values()));
        }
        return out;
    }

    static void checkColumnsExist(Table table, List<String> columns, String parameter) {
        List<String> unknown = columns.stream().filter(c -> !table.columns().contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request: " + parameter + ": columns "
                    + String.join(", ", unknown) + " not found in table " + table.id() + ".");
        }
    }
}
