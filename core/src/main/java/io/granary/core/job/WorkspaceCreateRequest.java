package io.granary.core.job;

/**
 * Create workspace {@code workspaceId} (the id was taken when the request was accepted, so a retried job makes the
 * same workspace, not a second one); {@code component} and {@code configurationId} are labels and may be null.
 */
public record WorkspaceCreateRequest(long workspaceId, String component, String configurationId,
        boolean readOnlyStorageAccess) {
}
