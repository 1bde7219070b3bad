package io.granary.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The engine under a Granary backend used directly, the way a user without Granary would: the baseline every
 * Granary measurement is compared with. Tables have the generated columns, all text.
 */
interface RawEngine extends AutoCloseable {

    /** What the baseline does, for the table's notes. */
    String describe(String operation);

    /** Creates {@code table} and loads one CSV file with a header (gzipped when its name ends in .gz); returns rows. */
    long createAndLoad(String table, Path csv) throws Exception;

    /** Creates {@code table} and loads header-less slices; returns rows. */
    long createAndLoadSlices(String table, List<Path> slices) throws Exception;

    /** Upserts a CSV with a header into {@code table} by {@code id}; returns the table's rows afterwards. */
    long upsert(String table, Path increment) throws Exception;

    /**
     * Writes the whole table as CSV, gzipped or not: to the local file {@code target} (with a header), or where
     * the engine's users would put it (Trino: its object store, {@code target} unused). Returns the bytes written.
     */
    long exportCsv(String table, Path target, boolean gzip) throws Exception;

    /** Writes the whole table as Parquet, as {@link #exportCsv}; returns the bytes written, or -1 when the engine cannot. */
    long exportParquet(String table, Path target) throws Exception;

    void drop(String table) throws Exception;

    @Override
    void close() throws Exception;
}
