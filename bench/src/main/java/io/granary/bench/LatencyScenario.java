package io.granary.bench;

import io.granary.client.StorageClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 4: one small file (about 1 KB) fully loaded into a table again and again, one after the other.
 * Granary: prepare → upload → {@code import-async} → job success through the client; raw: DELETE + COPY FROM
 * in one DuckDB transaction. Reports p50 and p99.
 */
final class LatencyScenario implements Scenario {

    static final int ROWS = 8;
    /**
     * Unmeasured loads before the measured ones, on both sides: the p50 of 200 loads on a just-started server was
     * 38-46 ms while the JIT still compiled the request paths, 19-21 ms after 1000 loads; a serving node is past that.
     */
    static final int WARMUP_RUNS = 300;

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        Path file = ctx.data.small(1, ROWS).get(0);
        String size = Files.size(file) + " B";
        int runs = ctx.config.latencyRuns();
        Path scratch = ctx.freshDir(name());
        List<Double> raw = new ArrayList<>();
        try (RawDuckDb duck = new RawDuckDb(scratch.resolve("raw.duckdb")); Connection c = duck.duplicate();
                Statement s = c.createStatement()) {
            s.execute(RawDuckDb.createTable("t", "VARCHAR"));
            for (int i = -WARMUP_RUNS; i < runs; i++) {
                long t0 = System.nanoTime();
                c.setAutoCommit(false);
                s.execute("DELETE FROM t");
                s.execute("COPY t FROM " + RawDuckDb.lit(file) + " (HEADER true)");
                c.commit();
                c.setAutoCommit(true);
                if (i >= 0) {
                    raw.add(Timer.since(t0) * 1000);
                }
            }
        }
        List<Double> granary = new ArrayList<>();
        try (ServerUnderTest server = ctx.startServer(name(), Backend.DUCKDB); StorageClient client = server.client()) {
            String bucket = ctx.newBucket(client, name());
            String tableId = GranaryOps.create(client, bucket, "t", file, List.of()).tableId();
            for (int i = 0; i < WARMUP_RUNS; i++) {
                GranaryOps.write(client, tableId, file, false);
            }
            boolean exact = server.resetPeak();
            for (int i = 0; i < runs; i++) {
                GranaryOps.Load load = GranaryOps.write(client, tableId, file, false);
                granary.add(load.total() * 1000);
                ctx.results.add(name(), "full load of a " + size + " file", Measurements.Side.GRANARY, i,
                        granary.get(i), "ms", load.detail());
                ctx.results.add(name(), "full load of a " + size + " file", Measurements.Side.RAW, i, raw.get(i), "ms",
                        Map.of());
            }
            GranaryOps.expectRows(client, tableId, ROWS);
            long rss = server.peakRssBytes();
            String note = runs + " sequential runs after " + WARMUP_RUNS + " unmeasured ones; Granary = prepare + upload + import-async + job success; "
                    + "raw = DuckDB DELETE + COPY FROM in a transaction" + (exact ? "" : "; RSS since start");
            for (double p : new double[] {50, 99}) {
                ctx.results.row(new Measurements.Row(name(), "p" + (int) p + ", " + size + " file", "ms",
                        Timer.percentile(granary, p), Timer.percentile(raw, p), rss, note));
            }
        }
        ctx.cleanScratch();
    }
}
