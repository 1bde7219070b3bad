package io.granary.runner;

import java.io.IOException;
import java.util.List;

/**
 * Where the component's output tables are and how their rows reach Storage (spec 3.2, 3.6, 5.4): files in
 * {@code out/tables} (local), or tables in a workspace (workspace). The staging finds the sources; the
 * {@link OutputTableResolver} merges each with its manifest and mapping (the same rules for every staging); the
 * {@link TableLoader} creates, keys, deletes and tags the tables and asks the staging only to move the rows.
 */
public interface OutputStaging extends StagingResource {

    /**
     * What a staging changes in resolution.
     *
     * @param dropsTimestampColumn {@code _timestamp} columns are silently left out (workspace) instead of refused
     *                             (local, 3.5)
     * @param workspaceId          the staging's workspace: the default of {@code values_from_workspace}; null =
     *                             none, which refuses {@code values_from_workspace}
     */
    record Rules(boolean dropsTimestampColumn, String workspaceId) {

        public static final Rules LOCAL = new Rules(false, null);
    }

    /** The staging's name as {@code --staging-output} takes it. */
    String name();

    /**
     * The tables the component produced, sorted by name, each to be combined with the mapping entries naming it
     * (3.2 step 4). Checks first what the staging requires (local: no orphaned manifest, every mapping source
     * exists), except after a failed component ({@code failedJob}, 3.7), when whatever is there is returned.
     *
     * @throws UserException {@code Found orphaned table manifest: …}, {@code Table sources not found: …}
     */
    List<OutputSource> sources(List<OutputTableMapping> mapping, boolean failedJob);

    default Rules rules() {
        return Rules.LOCAL;
    }

    /** Opens the rows of one resolved output for its load; the loader closes it. */
    TableData open(TableOutput output) throws IOException;
}
