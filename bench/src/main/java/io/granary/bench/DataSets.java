package io.granary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated input files, made once per work directory and shared by every scenario (DuckDB and
 * PostgreSQL read the very same files). A data set is complete only when its marker file exists, so an
 * interrupted generation is redone on the next run.
 */
final class DataSets {

    /** One generated table of about {@code sizeMb}: as CSV, as gzipped CSV and as header-less slices. */
    record Table(long sizeMb, Path csv, Path gz, List<Path> slices, long rows, long bytes) {
        Path sliceGlob() {
            return slices.get(0).resolveSibling("*.csv");
        }
    }

    /** A base table and {@code rounds} increments, each with half of its ids already in the table before it. */
    record Upsert(Path base, long baseRows, List<Path> increments, long incrementRows) {
        /** Rows in the table after {@code round + 1} increments. */
        long rowsAfter(int round) {
            return baseRows + (round + 1) * (incrementRows - incrementRows / 2);
        }
    }

    private static final int VERSION = 2;

    private final Path dir;
    private final int slices;
    private final Map<Long, Table> tables = new HashMap<>();

    DataSets(Path dir, int slices) {
        this.dir = dir;
        this.slices = slices;
    }

    synchronized Table table(long sizeMb) throws IOException {
        Table cached = tables.get(sizeMb);
        if (cached != null) {
            return cached;
        }
        String name = "table-" + sizeMb + "mb-v" + VERSION;
        Path csv = dir.resolve(name + ".csv");
        Path gz = dir.resolve(name + ".csv.gz");
        Path sliceDir = dir.resolve(name + "-slices");
        Path marker = dir.resolve(name + ".rows");
        long rows;
        if (Files.exists(marker)) {
            rows = Long.parseLong(Files.readString(marker).strip());
        } else {
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            rows = CsvGenerator.write(csv, sizeMb << 20, slices, sliceDir);
            CsvGenerator.gzip(csv, gz);
            Files.writeString(marker, Long.toString(rows));
            Log.info("generated %s (+ .gz, %d slices): %d rows, %.0f MiB in %.1f s", csv.getFileName(), slices, rows,
                    Files.size(csv) / 1048576.0, Timer.since(t0));
        }
        List<Path> sliceFiles = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            sliceFiles.add(sliceDir.resolve(String.format("part%02d.csv", i)));
        }
        Table t = new Table(sizeMb, csv, gz, List.copyOf(sliceFiles), rows, Files.size(csv));
        tables.put(sizeMb, t);
        return t;
    }

    /**
     * A base table of {@code baseRows} (ids 0…baseRows-1) and {@code rounds} increments of
     * {@code incrementRows}: in round r, every other row updates an existing id (spread over the whole base)
     * and the rest are new ids; the values differ from the base's.
     */
    synchronized Upsert upsert(long baseRows, long incrementRows, int rounds) throws IOException {
        String name = "upsert-" + baseRows + "-" + incrementRows + "-v" + VERSION;
        Path base = dir.resolve(name + "-base.csv");
        List<Path> increments = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            increments.add(dir.resolve(name + "-increment-" + r + ".csv"));
        }
        Path marker = dir.resolve(name + ".done-" + rounds);
        if (!Files.exists(marker)) {
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            long[] ids = new long[(int) baseRows];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i;
            }
            CsvGenerator.writeIds(base, ids, 1);
            long existing = incrementRows / 2;
            long step = Math.max(1, baseRows / Math.max(1, existing));
            for (int r = 0; r < rounds; r++) {
                long[] inc = new long[(int) incrementRows];
                long nextNew = baseRows + r * (incrementRows - existing);
                for (int i = 0; i < inc.length; i++) {
                    // even positions update an existing key, odd ones add a new key
                    inc[i] = i % 2 == 0 && i / 2 < existing ? (i / 2 * step + r) % baseRows : nextNew++;
                }
                CsvGenerator.writeIds(increments.get(r), inc, 100 + r);
            }
            Files.writeString(marker, "");
            Log.info("generated upsert data: %d base rows, %d × %d increment rows in %.1f s", baseRows, rounds,
                    incrementRows, Timer.since(t0));
        }
        return new Upsert(base, baseRows, List.copyOf(increments), incrementRows);
    }

    /** {@code count} small files of {@code rows} rows each, distinct ids. */
    synchronized List<Path> small(int count, int rows) throws IOException {
        Path smallDir = dir.resolve("small-" + count + "x" + rows + "-v" + VERSION);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add(smallDir.resolve("small-" + i + ".csv"));
        }
        Path marker = smallDir.resolve(".done");
        if (!Files.exists(marker)) {
            Files.createDirectories(smallDir);
            for (int i = 0; i < count; i++) {
                long[] ids = new long[rows];
                for (int j = 0; j < rows; j++) {
                    ids[j] = (long) i * rows + j;
                }
                CsvGenerator.writeIds(files.get(i), ids, 1000 + i);
            }
            Files.writeString(marker, "");
        }
        return List.copyOf(files);
    }
}
