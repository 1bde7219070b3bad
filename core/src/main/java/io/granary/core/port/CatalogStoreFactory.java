package io.granary.core.port;

import java.util.List;

/**
 * Plugs a catalog with its job queue into a node: {@code granary server --catalog <name>}. Found with
 * {@link java.util.ServiceLoader}, like {@link TableBackendFactory}; an implementation runs
 * {@code CatalogContract} and {@code JobQueueContract}.
 */
public interface CatalogStoreFactory {

    /** The name {@code --catalog} takes. */
    String name();

    /** Whether several nodes can share one store (their jobs then move between nodes by leases). */
    boolean shared();

    /** The settings this store reads; a setting of the same name as a table backend's is the same value. */
    default List<Setting> settings() {
        return List.of();
    }

    /** Checks the settings before anything starts; {@link IllegalArgumentException} naming the flag. */
    default void check(Settings settings) {
    }

    /** One line for the start-up banner. */
    default String describe(StoreContext context) {
        return name();
    }

    /** Opens the store; {@link StoreContext#objects()} is null (the object store opens after the catalog). */
    CatalogStore open(StoreContext context);
}
