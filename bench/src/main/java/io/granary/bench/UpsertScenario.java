package io.granary.bench;

import io.granary.client.StorageClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Scenario 2 (and its PostgreSQL twin): a table with primary key {@code id}, then increments with half of
 * their keys already in the table. Granary: upload + {@code import-async} with {@code incremental}; raw: the
 * engine's own MERGE. The base load is measured too (Granary de-duplicates it by key, the raw load does not).
 */
final class UpsertScenario implements Scenario {

    private final Backend backend;

    UpsertScenario(Backend backend) {
        this.backend = backend;
    }

    @Override
    public String name() {
        return backend.scenario("upsert");
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        long baseRows = backend.upsertRows(ctx.config);
        long incrementRows = backend.incrementRows(ctx.config);
        DataSets.Upsert data = ctx.data.upsert(baseRows, incrementRows, ctx.config.runs());
        Path scratch = ctx.freshDir(name());
        try (ServerUnderTest server = ctx.startServer(name(), backend);
                StorageClient client = server.client();
                RawEngine raw = backend.raw(ctx, scratch)) {
            String bucket = ctx.newBucket(client, name());
            String base = "base: " + Labels.count(baseRows) + " rows, primary key";
            boolean exact = server.resetPeak();
            long t0 = System.nanoTime();
            ImportScenario.expect(raw.createAndLoad("t", data.base()), baseRows, "raw base");
            double rawBase = Timer.since(t0);
            GranaryOps.Load load = GranaryOps.create(client, bucket, "t", data.base(), List.of("id"));
            GranaryOps.expectRows(client, load.tableId(), baseRows);
            ctx.results.add(name(), base, Measurements.Side.RAW, 0, rawBase, "s", Map.of());
            ctx.results.add(name(), base, Measurements.Side.GRANARY, 0, load.total(), "s", load.detail());
            ctx.results.summarize(name(), base, "s", server.peakRssBytes(), String.format(
                    "setup; Granary = upload %.2f s + job %.2f s (de-duplicates by key); raw = %s (no key)",
                    load.uploadSeconds(), load.jobSeconds(), raw.describe("load")) + (exact ? "" : "; RSS since start"));

            String label = "increment: " + Labels.count(incrementRows) + " rows, 50 % existing";
            exact = server.resetPeak();
            for (int run = 0; run < ctx.config.runs(); run++) {
                Path increment = data.increments().get(run);
                long t1 = System.nanoTime();
                ImportScenario.expect(raw.upsert("t", increment), data.rowsAfter(run), "raw upsert");
                double rawSeconds = Timer.since(t1);
                GranaryOps.Load inc = GranaryOps.write(client, load.tableId(), increment, true);
                GranaryOps.expectRows(client, load.tableId(), data.rowsAfter(run));
                ctx.results.add(name(), label, Measurements.Side.RAW, run, rawSeconds, "s", Map.of());
                ctx.results.add(name(), label, Measurements.Side.GRANARY, run, inc.total(), "s", inc.detail());
                Log.info("%s run %d: raw %.2f s, Granary %.2f s (upload %.2f + job %.2f)", name(), run + 1, rawSeconds,
                        inc.total(), inc.uploadSeconds(), inc.jobSeconds());
            }
            List<Measurements.Measurement> granary = ctx.results.measurements().stream()
                    .filter(m -> m.scenario().equals(name()) && m.variant().equals(label)
                            && m.side() == Measurements.Side.GRANARY).toList();
            double job = Timer.median(granary.stream().map(m -> (Double) m.detail().get("jobSeconds")).toList());
            ctx.results.summarize(name(), label, "s", server.peakRssBytes(), String.format(
                    "Granary = upload + job %.2f s (import-async incremental); raw = %s", job, raw.describe("upsert"))
                    + (exact ? "" : "; RSS since start"));
        }
        ctx.cleanScratch();
    }
}
