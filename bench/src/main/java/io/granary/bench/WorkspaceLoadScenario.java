package io.granary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.StorageClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Storage table copied into a PostgreSQL workspace. Granary: {@code POST /workspaces/{id}/load} of the whole table
 * (the workspace emptied first, the job awaited through the client); raw: {@code CREATE TABLE} + {@code INSERT …
 * SELECT} of the same table into another schema of the same database. Both copy the same text columns (Granary's
 * {@code _timestamp} column is left out, so the work is the same).
 */
final class WorkspaceLoadScenario implements Scenario {

    @Override
    public String name() {
        return "pg-workspace-load";
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        long rows = ctx.config.upsertRows();
        Path base = ctx.data.upsert(rows, ctx.config.incrementRows(), ctx.config.runs()).base();
        Path scratch = ctx.freshDir(name());
        try (ServerUnderTest server = ctx.startServer(name(), Backend.POSTGRES);
                StorageClient client = server.client();
                RawPostgres raw = (RawPostgres) Backend.POSTGRES.raw(ctx, scratch)) {
            String bucket = ctx.newBucket(client, name());
            GranaryOps.Load load = GranaryOps.create(client, bucket, "t", base, List.of());
            GranaryOps.expectRows(client, load.tableId(), rows);
            ImportScenario.expect(raw.createAndLoad("t", base), rows, "raw base");
            long workspace = client.workspaces().create(false).get("id").asLong();
            String label = "table of " + Labels.count(rows) + " rows into a workspace";
            boolean exact = server.resetPeak();
            for (int run = 0; run < ctx.config.runs(); run++) {
                long t0 = System.nanoTime();
                ImportScenario.expect(raw.insertSelect("t", "copy"), rows, "raw INSERT … SELECT");
                double rawSeconds = Timer.since(t0);
                long t1 = System.nanoTime();
                JsonNode job = client.workspaces().load(workspace, List.of(Map.of("source", load.tableId(),
                        "destination", "t", "keepInternalTimestampColumn", false)), false);
                double granarySeconds = Timer.since(t1);
                ImportScenario.expect(job.path("results").path("input").path(0).path("rowsCount").asLong(), rows,
                        "workspace load");
                ctx.results.add(name(), label, Measurements.Side.RAW, run, rawSeconds, "s", Map.of());
                ctx.results.add(name(), label, Measurements.Side.GRANARY, run, granarySeconds, "s", Map.of());
                Log.info("%s run %d: raw %.2f s, Granary %.2f s", name(), run + 1, rawSeconds, granarySeconds);
            }
            ctx.results.summarize(name(), label, "s", server.peakRssBytes(), "Granary = workspaceLoad job through the"
                    + " client; raw = CREATE TABLE + INSERT … SELECT in one transaction" + (exact ? "" : "; RSS since start"));
            client.workspaces().delete(workspace);
        }
        ctx.cleanScratch();
    }
}
