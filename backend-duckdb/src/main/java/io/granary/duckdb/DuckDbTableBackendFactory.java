package io.granary.duckdb;

import io.granary.core.port.StoreContext;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackendFactory;

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
}
