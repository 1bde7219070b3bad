package io.granary.core.port;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * What a node gives a store it opens: its data directory (state that must survive a restart), a temporary
 * directory (emptied at start), the clock, the number of job workers (to size connection pools), the job
 * lease, the memory an in-process engine may use, the values of the settings, and the object store
 * (null while the catalog opens: the object store is opened after it; a table backend always gets it, for
 * engines that stage into and export straight to the store).
 */
public record StoreContext(Path dataDir, Path tmpDir, Clock clock, int workers, Duration jobLease,
        long memoryLimitBytes, Settings settings, ObjectStore objects) {

    public StoreContext withObjects(ObjectStore store) {
        return new StoreContext(dataDir, tmpDir, clock, workers, jobLease, memoryLimitBytes, settings, store);
    }
}
