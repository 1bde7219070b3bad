package io.granary.runner;

import io.granary.client.StorageClient;

/**
 * What a staging may use: Storage (only through the client's public API), the run's data folder, its log (already
 * redacting secrets), and the run's identity for what it creates (a workspace for {@code components/{c}/configs/{id}},
 * spec 5.1).
 *
 * @param configId              null for an inline configuration
 * @param readOnlyStorageAccess {@code storage.input.read_only_storage_access} of the configuration
 */
public record StagingContext(StorageClient client, DataFolder folder, RunLog log, int parallelism, String componentId,
        String configId, boolean readOnlyStorageAccess) {
}
