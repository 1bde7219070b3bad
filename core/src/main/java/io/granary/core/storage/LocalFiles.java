package io.granary.core.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bytes of a stored file as local files a table backend can read: the objects themselves when the
 * store is local, otherwise temporary copies that {@link #close()} removes.
 */
public record LocalFiles(List<Path> paths, List<Path> temporary) implements AutoCloseable {

    @Override
    public void close() {
        for (Path p : temporary) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temp file is not worth failing the job over
            }
        }
    }

    public long totalBytes() {
        long sum = 0;
        for (Path p : paths) {
            try {
                sum += Files.size(p);
            } catch (IOException ignored) {
                // size is only for progress reporting
            }
        }
        return sum;
    }
}
