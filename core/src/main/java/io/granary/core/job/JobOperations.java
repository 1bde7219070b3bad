package io.granary.core.job;

/** Every kind of job Granary runs: the operation names Keboola's clients know, with their requests. */
public final class JobOperations {

    public static final JobOperation<TableCreateRequest> TABLE_CREATE = op("tableCreate", TableCreateRequest.class);
    public static final JobOperation<TableImportRequest> TABLE_IMPORT = op("tableImport", TableImportRequest.class);
    public static final JobOperation<TableExportRequest> TABLE_EXPORT = op("tableExport", TableExportRequest.class);
    public static final JobOperation<TableDropRequest> TABLE_DROP = op("tableDrop", TableDropRequest.class);
    public static final JobOperation<RowsDeleteRequest> TABLE_ROWS_DELETE = op("tableRowsDelete", RowsDeleteRequest.class);
    public static final JobOperation<ColumnRequest> TABLE_COLUMN_ADD = op("tableColumnAdd", ColumnRequest.class);
    public static final JobOperation<ColumnRequest> TABLE_COLUMN_DELETE = op("tableColumnDelete", ColumnRequest.class);
    public static final JobOperation<PrimaryKeyRequest> TABLE_PRIMARY_KEY_ADD =
            op("tablePrimaryKeyAdd", PrimaryKeyRequest.class);
    public static final JobOperation<PrimaryKeyRequest> TABLE_PRIMARY_KEY_DELETE =
            op("tablePrimaryKeyDelete", PrimaryKeyRequest.class);
    public static final JobOperation<BucketDeleteRequest> BUCKET_DELETE = op("bucketDelete", BucketDeleteRequest.class);
    public static final JobOperation<FileDeleteRequest> FILE_DELETE = op("fileDelete", FileDeleteRequest.class);
    public static final JobOperation<WorkspaceCreateRequest> WORKSPACE_CREATE =
            op("workspaceCreate", WorkspaceCreateRequest.class);
    public static final JobOperation<WorkspaceDeleteRequest> WORKSPACE_DELETE =
            op("workspaceDelete", WorkspaceDeleteRequest.class);
    public static final JobOperation<WorkspaceLoadRequest> WORKSPACE_LOAD = op("workspaceLoad", WorkspaceLoadRequest.class);

    private JobOperations() {
    }

    private static <R> JobOperation<R> op(String name, Class<R> type) {
        return new JobOperation<>(name, type);
    }
}
