package io.granary.core.port;

import java.util.List;

/**
 * Plugs a {@link TableBackend} into a node: {@code granary server --backend <name>}. Implementations are
 * found with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry in the backend's module), so
 * adding a backend is a module with its factory and its run of {@code TableBackendContract}, plus the
 * server's dependency on that module.
 */
public interface TableBackendFactory {

    /** The name {@code --backend} takes ({@code duckdb}, {@code postgres}, {@code trino}). */
    String name();

    /** The settings this backend reads (flags and {@code GRANARY_*} variables of {@code granary server}). */
    default List<Setting> settings() {
        return List.of();
    }

    /**
     * Whether this backend runs only beside a catalog several nodes share ({@link CatalogStoreFactory#shared()}):
     * its tables are meant for many stateless nodes, and what it records besides the rows lives in that database.
     */
    default boolean needsSharedCatalog() {
        return false;
    }

    /**
     * Checks the settings before anything starts; throws {@link IllegalArgumentException} with a message a user
     * can act on (naming the flag).
     */
    default void check(Settings settings) {
    }

    /** One line for the start-up banner: what the tables are on. */
    default String describe(StoreContext context) {
        return name();
    }

    /** Opens the backend; the node closes it at shutdown. */
    TableBackend open(StoreContext context);

    /**
     * Opens the workspaces on this backend's engine, beside {@code tables} (what {@link #open} returned, whose tables
     * loads copy from), or returns null when this backend offers none: the workspace API then answers 501. The node
     * closes it before the table backend. Its settings ({@link WorkspaceBackend#HOST}, …) belong in {@link #settings}.
     */
    default WorkspaceBackend openWorkspaces(StoreContext context, TableBackend tables) {
        return null;
    }
}
