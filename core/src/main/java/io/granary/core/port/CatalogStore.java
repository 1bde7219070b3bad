package io.granary.core.port;

/**
 * A {@link Catalog} and the {@link JobQueue} that lives with it. {@code shared} says whether other nodes use
 * the same store: then they share the job queue, and a node recovers only jobs whose lease ran out. Closing
 * the store closes both.
 */
public interface CatalogStore extends AutoCloseable {

    Catalog catalog();

    JobQueue queue();

    boolean shared();

    @Override
    void close();
}
