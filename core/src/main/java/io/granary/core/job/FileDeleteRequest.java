package io.granary.core.job;

/** Delete a file and its objects; nothing happens when it is already gone. */
public record FileDeleteRequest(long fileId) {
}
