package io.granary.core.job;

/** Delete a workspace with its contents and its login; nothing happens when it is already gone. */
public record WorkspaceDeleteRequest(long workspaceId) {
}
