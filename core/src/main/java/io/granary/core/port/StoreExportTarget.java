package io.granary.core.port;

import java.nio.file.Path;
import java.util.Objects;

/** {@link ExportTarget#inStore}: local slices go into the store with {@link ObjectStore#moveFile}. */
record StoreExportTarget(ObjectStore store, String keyPrefix, Path scratchDir) implements ExportTarget {

    StoreExportTarget {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(scratchDir, "scratchDir");
    }

    @Override
    public String putSlice(String name, Path file) {
        String key = keyPrefix + ExportTarget.checkSliceName(name);
        store.moveFile(key, file);
        return key;
    }
}
