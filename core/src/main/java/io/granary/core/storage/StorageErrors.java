package io.granary.core.storage;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;

/** The not-found and already-exists errors of Storage, naming the project as Keboola's texts do. */
public record StorageErrors(long projectId) {

    public GranaryException tableNotFound(String tableId) {
        TableRef ref = TableRef.parse(tableId);
        String message = ref == null ? "The table \"" + tableId + "\" was not found."
                : "The table \"" + ref.name() + "\" was not found in the bucket \"" + ref.bucketId() + "\" in the project \""
                        + projectId + "\"";
        return new GranaryException(ErrorCode.TABLES_NOT_FOUND, message);
    }

    public GranaryException bucketNotFound(String bucketId) {
        return new GranaryException(ErrorCode.BUCKETS_NOT_FOUND, "The bucket \"" + bucketId
                + "\" was not found in the project \"" + projectId + "\"");
    }

    public GranaryException tableExists(TableRef ref) {
        return new GranaryException(ErrorCode.TABLE_ALREADY_EXISTS, "The table \"" + ref.name()
                + "\" already exists in the bucket \"" + ref.bucketId() + "\".");
    }
}
