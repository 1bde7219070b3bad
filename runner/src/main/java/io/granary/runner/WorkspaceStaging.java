package io.granary.runner;

import java.io.IOException;
import java.util.List;

/**
 * Both sides of workspace staging (spec 5): one workspace for the run. Refuses what a workspace cannot load before it
 * makes anything.
 */
final class WorkspaceStaging implements InputStaging, OutputStaging {

    private WorkspaceStaging() {
    }

    static WorkspaceStaging open(String workspaceId, StagingContext context) {
        WorkspaceInputs.check(context.inputTables());
        throw new UserException("Workspace staging is not available: this Storage API has no workspaces.");
    }

    @Override
    public String name() {
        return StagingModes.WORKSPACE_MODE;
    }

    @Override
    public void stageTables(List<InputTable> tables) {
        throw new IllegalStateException();
    }

    @Override
    public List<OutputSource> sources(List<OutputTableMapping> mapping, boolean failedJob) {
        throw new IllegalStateException();
    }

    @Override
    public TableData open(TableOutput output) throws IOException {
        throw new IllegalStateException();
    }
}
