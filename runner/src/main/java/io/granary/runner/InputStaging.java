package io.granary.runner;

import java.io.IOException;
import java.util.List;

/**
 * How input tables reach the component (spec 4.1, 4.4): CSV files in {@code in/tables} (local), manifests with an
 * {@code s3} section (s3), or tables in a workspace (workspace). {@link InputMapping} first resolves every table
 * mapping against Storage (the table's detail, its export options, the manifest of spec 2.2), then hands all of them
 * to the staging at once, so a staging can load them in one job. Files are not staged: they always go to
 * {@code in/files}.
 */
public interface InputStaging extends StagingResource {

    /** The staging's name as {@code --staging-input} takes it. */
    String name();

    /**
     * Makes every table available to the component and writes its manifest at {@link InputTable#manifestPath()}:
     * {@link InputTable#manifest()} plus the staging's own sections ({@code s3}). Called once per run, also with no
     * tables.
     *
     * @throws UserException for what the user can fix: an option the staging refuses, or a Storage failure worded
     *                       {@code Cannot import data from Storage API: <message>}
     */
    void stageTables(List<InputTable> tables) throws IOException;
}
