package io.granary.runner;

import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import io.granary.client.TableImportOptions;
import java.util.List;

/**
 * Output tables left in the run's workspace (spec 5.4): every output mapping entry and every
 * {@code out/tables/<name>.manifest} is the workspace table of that name ({@link WorkspaceOutputs}), unloaded by
 * Storage itself ({@code dataWorkspaceId} + {@code dataObject}). A new Storage table is created from the workspace
 * table in one job (with the configured columns, else all of the workspace table's), so a missing workspace table
 * ({@code Table "x" not found in schema "…"}) leaves nothing behind; an existing one gets the configured columns (or all of the workspace table's) by one atomic import.
 * {@code _timestamp} columns are left out silently. The workspace belongs to the {@link WorkspaceInputStaging}.
 */
final class WorkspaceOutputStaging implements OutputStaging {

    private final StorageClient client;
    private final DataFolder folder;
    private final WorkspaceInputStaging workspace;

    WorkspaceOutputStaging(StagingContext context, WorkspaceInputStaging workspace) {
        this.client = context.client();
        this.folder = context.folder();
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return StagingModes.WORKSPACE_MODE;
    }

    @Override
    public List<OutputSource> sources(List<OutputTableMapping> mapping, boolean failedJob) {
        return WorkspaceOutputs.sources(folder.outTables(), mapping);
    }

    @Override
    public Rules rules() {
        return new Rules(true, Long.toString(workspace.id()));
    }

    @Override
    public TableData open(TableOutput output) {
        return new TableData() {
            @Override
            public boolean empty() {
                return false; // a workspace table is loaded as it is, also without rows
            }

            @Override
            public boolean namesItsColumns() {
                return true;
            }

            @Override
            public void createTable(String bucketId, String name, TableCreateOptions options) {
                client.workspaces().createTableFrom(workspace.id(), output.source(), bucketId, name,
                        options.primaryKey(), options.columns());
            }

            @Override
            public void importInto(String tableId, TableImportOptions options) {
                client.workspaces().writeTableFrom(workspace.id(), output.source(), tableId, options.incremental(),
                        options.columns() == null ? List.of() : options.columns());
            }

            @Override
            public void close() {
            }
        };
    }
}
