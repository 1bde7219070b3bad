package io.granary.runner;

import java.util.List;

/**
 * Which staging a run uses (spec 4.4; {@code --staging-input}, {@code --staging-output}): how input tables reach
 * the component and where its output tables are. {@link Staging#open} turns the names into the staging classes.
 *
 * @param input       {@code local}, {@code s3} or {@code workspace}
 * @param output      {@code local} or {@code workspace}
 * @param workspaceId an existing workspace to use (and keep) instead of a new one; null = none
 */
public record StagingModes(String input, String output, String workspaceId) {

    public static final String LOCAL_MODE = "local";
    public static final String S3_MODE = "s3";
    public static final String WORKSPACE_MODE = "workspace";
    public static final List<String> INPUTS = List.of(LOCAL_MODE, S3_MODE, WORKSPACE_MODE);
    public static final List<String> OUTPUTS = List.of(LOCAL_MODE, WORKSPACE_MODE);
    /** CSV files in {@code in/tables} and {@code out/tables}: the default. */
    public static final StagingModes LOCAL = new StagingModes(LOCAL_MODE, LOCAL_MODE, null);

    public StagingModes {
        input = input == null || input.isBlank() ? LOCAL_MODE : input.trim();
        output = output == null || output.isBlank() ? LOCAL_MODE : output.trim();
        workspaceId = workspaceId == null || workspaceId.isBlank() ? null : workspaceId.trim();
    }

    /** Both sides share one workspace. */
    public boolean workspace() {
        return WORKSPACE_MODE.equals(input);
    }

    /**
     * Refuses what cannot run, before anything starts: an unknown name, a workspace on one side only (both sides of
     * a workspace staging are one workspace, as Keboola requires of its workspace types), and {@code --workspace-id}
     * without a workspace.
     *
     * @throws UserException        an unknown name, a workspace id without workspace staging
     * @throws ApplicationException {@code Component staging setting mismatch - input: "<in>", output: "<out>".}, as
     *                              Keboola classes it
     */
    public void check() {
        if (!INPUTS.contains(input)) {
            throw new UserException("Unknown input staging \"" + input + "\". Use one of: " + String.join(", ", INPUTS) + ".");
        }
        if (!OUTPUTS.contains(output)) {
            throw new UserException("Unknown output staging \"" + output + "\". Use one of: " + String.join(", ", OUTPUTS)
                    + ".");
        }
        if ((WORKSPACE_MODE.equals(input) || WORKSPACE_MODE.equals(output)) && !input.equals(output)) {
            throw new ApplicationException("Component staging setting mismatch - input: \"" + input + "\", output: \""
                    + output + "\".");
        }
        if (workspaceId != null && !workspace()) {
            throw new UserException("Workspace \"" + workspaceId + "\" can only be used with workspace staging"
                    + " (input and output \"workspace\").");
        }
    }
}
