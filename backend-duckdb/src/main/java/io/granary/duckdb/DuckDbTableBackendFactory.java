package io.granary.duckdb;

import io.granary.core.port.StoreContext;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackendFactory;
import io.granary.core.port.WorkspaceBackend;

/** {@code --backend duckdb}: tables in {@code tables.duckdb} under the data directory, capped at the node's memory limit. */
public final class DuckDbTableBackendFactory implements TableBackendFactory {

    public static final String NAME = "duckdb";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe(StoreContext context) {
        return "DuckDB, memory cap " + (context.memoryLimitBytes() >> 20) + " MiB (--duckdb-memory)";
    }

    @Override
    public TableBackend open(StoreContext context) {
        return DuckDbTableBackend.open(context.dataDir().resolve("tables.duckdb"), context.tmpDir(),
                context.memoryLimitBytes(), DuckDbTableBackend.DEFAULT_SLICE_BYTES);
    }

    /** A database file per workspace under {@code workspaces/} of the data directory. */
    @Override
    public WorkspaceBackend openWorkspaces(StoreContext context, TableBackend tables) {
        // the instance that reads a workspace file gets a quarter of the node's DuckDB memory: it streams rows out
        return new DuckDbWorkspaceBackend(((DuckDbTableBackend) tables).database(), context.dataDir().resolve("workspaces"),
                context.tmpDir(), context.memoryLimitBytes() / 4, DuckDbTableBackend.DEFAULT_SLICE_BYTES);
    }
}
