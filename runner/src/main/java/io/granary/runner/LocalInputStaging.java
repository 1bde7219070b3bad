package io.granary.runner;

import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import java.util.List;

/** Input tables as CSV files with a header in {@code in/tables}, exported and downloaded in parallel (spec 4.1). */
final class LocalInputStaging implements InputStaging {

    private final StorageClient client;
    private final RunLog log;
    private final int parallelism;

    LocalInputStaging(StagingContext context) {
        this.client = context.client();
        this.log = context.log();
        this.parallelism = context.parallelism();
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public void stageTables(List<InputTable> tables) {
        Parallel.map(tables, parallelism, t -> {
            try {
                client.exportTable(t.source(), t.dataPath(), t.exportOptions());
            } catch (StorageApiException e) {
                throw new UserException("Cannot import data from Storage API: " + e.getMessage(), e);
            }
            Json.write(t.manifestPath(), t.manifest());
            log.info("Fetched table \"" + t.source() + "\" into \"" + t.destination() + "\".");
            return null;
        });
    }
}
