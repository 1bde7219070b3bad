package io.granary.runner;

/**
 * Which staging a run uses (spec 4.4; {@code --staging-input}, {@code --staging-output}): how input tables reach
 * the component and where its output tables are. {@link Staging#open} turns the names into the staging classes.
 *
 * @param input       {@code local}
 * @param output      {@code local}
 * @param workspaceId an existing workspace to use (and keep) instead of a new one; null = none
 */
public record StagingModes(String input, String output, String workspaceId) {

    /** CSV files in {@code in/tables} and {@code out/tables}: the default. */
    public static final StagingModes LOCAL = new StagingModes("local", "local", null);

    public StagingModes {
        input = input == null || input.isBlank() ? "local" : input;
        output = output == null || output.isBlank() ? "local" : output;
    }
}
