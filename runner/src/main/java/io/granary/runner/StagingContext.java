package io.granary.runner;

import io.granary.client.StorageClient;
import java.util.List;

/**
 * What a staging may use: Storage (only through the client's public API), the run's data folder, its log (already
 * redacting secrets), and the run's identity for what it creates (a workspace for {@code components/{c}/configs/{id}},
 * spec 5.1).
 *
 * @param configId              null for an inline configuration
 * @param readOnlyStorageAccess {@code storage.input.read_only_storage_access} of the configuration
 * @param inputTables           the configuration's table input mapping, for a staging to refuse what it cannot load
 *                              before it makes anything (a workspace refuses {@code days})
 */
public record StagingContext(StorageClient client, DataFolder folder, RunLog log, int parallelism, String componentId,
        String configId, boolean readOnlyStorageAccess, List<InputTableMapping> inputTables) {

    public StagingContext {
        inputTables = inputTables == null ? List.of() : List.copyOf(inputTables);
    }

    /** A context without input tables to check. */
    public StagingContext(StorageClient client, DataFolder folder, RunLog log, int parallelism, String componentId,
            String configId, boolean readOnlyStorageAccess) {
        this(client, folder, log, parallelism, componentId, configId, readOnlyStorageAccess, List.of());
    }
}
