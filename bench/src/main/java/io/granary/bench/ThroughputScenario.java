package io.granary.bench;

import io.granary.client.StorageClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Scenario 5: many clients at once, each importing small files one after the other into a handful of tables.
 * Granary: every client is a thread with its own {@link StorageClient} (own HTTP connections) doing upload +
 * incremental {@code import-async}; raw: every client a thread with its own DuckDB connection doing COPY FROM
 * into the same database. Reports jobs per second over the whole run and the p50/p99 of one job.
 */
final class ThroughputScenario implements Scenario {

    static final int ROWS = 100;

    @Override
    public String name() {
        return "throughput";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        int clients = ctx.config.clients();
        int perClient = ctx.config.filesPerClient();
        int tables = ctx.config.tables();
        List<Path> files = ctx.data.small(perClient, ROWS);
        String label = clients + " clients × " + perClient + " files (" + Files.size(files.get(0)) / 1024 + " KiB) → "
                + tables + " tables";
        Path scratch = ctx.freshDir(name());

        List<Double> raw = Collections.synchronizedList(new ArrayList<>());
        double rawWall;
        try (RawDuckDb duck = new RawDuckDb(scratch.resolve("raw.duckdb")); Connection c = duck.duplicate();
                Statement s = c.createStatement()) {
            for (int t = 0; t < tables; t++) {
                s.execute(RawDuckDb.createTable("t" + t, "VARCHAR"));
            }
            rawWall = concurrently(clients, client -> {
                try (Connection own = duck.duplicate(); Statement st = own.createStatement()) {
                    for (int j = 0; j < perClient; j++) {
                        long t0 = System.nanoTime();
                        st.execute("COPY t" + (client + j) % tables + " FROM " + RawDuckDb.lit(files.get(j))
                                + " (HEADER true)");
                        raw.add(Timer.since(t0) * 1000);
                    }
                }
                return null;
            });
            long total = 0;
            for (int t = 0; t < tables; t++) {
                try (var rs = s.executeQuery("SELECT count(*) FROM t" + t)) {
                    rs.next();
                    total += rs.getLong(1);
                }
            }
            ImportScenario.expect(total, (long) clients * perClient * ROWS, "raw throughput tables");
        }

        List<Double> granary = Collections.synchronizedList(new ArrayList<>());
        try (ServerUnderTest server = ctx.startServer(name(), Backend.DUCKDB); StorageClient setup = server.client()) {
            String bucket = ctx.newBucket(setup, name());
            List<String> tableIds = new ArrayList<>();
            for (int t = 0; t < tables; t++) {
                tableIds.add(GranaryOps.create(setup, bucket, "t" + t, files.get(0), List.of()).tableId());
            }
            boolean exact = server.resetPeak();
            double wall = concurrently(clients, client -> {
                try (StorageClient own = server.client()) {
                    for (int j = 0; j < perClient; j++) {
                        String table = tableIds.get((client + j) % tables);
                        GranaryOps.Load load = GranaryOps.write(own, table, files.get(j), true);
                        granary.add(load.total() * 1000);
                    }
                }
                return null;
            });
            long rss = server.peakRssBytes();
            long total = 0;
            for (String id : tableIds) {
                total += GranaryOps.rows(setup, id);
            }
            ImportScenario.expect(total, ((long) clients * perClient + tables) * ROWS, "Granary throughput tables");

            int jobs = clients * perClient;
            for (int i = 0; i < jobs; i++) {
                ctx.results.add(name(), label, Measurements.Side.GRANARY, i, granary.get(i), "ms", Map.of());
                ctx.results.add(name(), label, Measurements.Side.RAW, i, raw.get(i), "ms", Map.of());
            }
            String note = "Granary = upload + import-async incremental per job, server with " + ServerUnderTest.WORKERS
                    + " job workers; raw = COPY FROM on a connection per client" + (exact ? "" : "; RSS since start");
            ctx.results.row(new Measurements.Row(name(), label, "jobs/s", jobs / wall, jobs / rawWall, rss,
                    String.format("%d jobs in %.1f s (raw %.1f s); ", jobs, wall, rawWall) + note));
            for (double p : new double[] {50, 99}) {
                ctx.results.row(new Measurements.Row(name(), "job latency p" + (int) p, "ms",
                        Timer.percentile(granary, p), Timer.percentile(raw, p), rss, "under the load above"));
            }
        }
        ctx.cleanScratch();
    }

    /** Runs {@code clients} tasks at once (client index as argument), all started together; returns the wall time. */
    private static double concurrently(int clients, ClientTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int client = i;
                Callable<Void> c = () -> {
                    start.await();
                    return task.run(client);
                };
                futures.add(pool.submit(c));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Future<Void> f : futures) {
                f.get();
            }
            return Timer.since(t0);
        } finally {
            pool.shutdownNow();
        }
    }

    private interface ClientTask {
        Void run(int client) throws Exception;
    }
}
