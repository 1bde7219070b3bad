package io.granary.bench;

import io.granary.client.StorageClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Scenario 1 (and its PostgreSQL twin): one generated table loaded as a CSV file, as a gzipped CSV and as
 * 16 header-less slices. Granary: upload + {@code tables-async} job through the client; raw: CREATE TABLE
 * + COPY of the same local files. One server per size, so the peak memory of each size can be compared. Then, on
 * DuckDB, the upload's MB/s beside {@code aws s3 cp}'s and {@code cp}'s ({@link UploadSpeeds}).
 */
final class ImportScenario implements Scenario {

    private final Backend backend;

    ImportScenario(Backend backend) {
        this.backend = backend;
    }

    @Override
    public String name() {
        return backend.scenario("import");
    }

    @Override
    public void run(BenchContext ctx) throws Exception {
        for (long sizeMb : backend.sizesMb(ctx.config)) {
            DataSets.Table data = ctx.data.table(sizeMb);
            Path scratch = ctx.freshDir(name() + "-" + sizeMb);
            try (ServerUnderTest server = ctx.startServer(name(), backend);
                    StorageClient client = server.client();
                    RawEngine raw = backend.raw(ctx, scratch)) {
                String bucket = ctx.newBucket(client, name());
                for (String variant : List.of("csv", "csv.gz", "slices")) {
                    String label = label(variant, data);
                    boolean exact = server.resetPeak();
                    for (int run = 0; run < ctx.config.runs(); run++) {
                        long t0 = System.nanoTime();
                        long rows = variant.equals("slices") ? raw.createAndLoadSlices("t", data.slices())
                                : raw.createAndLoad("t", variant.equals("csv") ? data.csv() : data.gz());
                        double rawSeconds = Timer.since(t0);
                        expect(rows, data.rows(), "raw " + label);
                        raw.drop("t");
                        ctx.results.add(name(), label, Measurements.Side.RAW, run, rawSeconds, "s", Map.of("rows", rows));

                        String table = "t" + run + variant.replace(".", "");
                        GranaryOps.Load load = variant.equals("slices")
                                ? GranaryOps.createFromSlices(client, bucket, table,
                                        data.slices(), scratch)
                                : GranaryOps.create(client, bucket, table,
                                        variant.equals("csv") ? data.csv() : data.gz(), List.of());
                        GranaryOps.expectRows(client, load.tableId(), data.rows());
                        client.dropTable(load.tableId());
                        ctx.results.add(name(), label, Measurements.Side.GRANARY, run, load.total(), "s", load.detail());
                        Log.info("%s %s run %d: raw %.2f s, Granary %.2f s (upload %.2f + job %.2f)", name(), label, run + 1,
                                rawSeconds, load.total(), load.uploadSeconds(), load.jobSeconds());
                    }
                    ctx.results.summarize(name(), label, "s", server.peakRssBytes(), note(ctx, label, raw, exact));
                }
                if (backend == Backend.DUCKDB) {
                    UploadSpeeds.measure(ctx, name(), label("csv", data), Labels.size(data.sizeMb()), server, client, data.csv(), scratch);
                }
            }
            ctx.cleanScratch();
        }
    }

    private String note(BenchContext ctx, String label, RawEngine raw, boolean exactPeak) {
        List<Measurements.Measurement> granary = ctx.results.measurements().stream()
                .filter(m -> m.scenario().equals(name()) && m.variant().equals(label)
                        && m.side() == Measurements.Side.GRANARY).toList();
        double upload = Timer.median(granary.stream().map(m -> (Double) m.detail().get("uploadSeconds")).toList());
        double job = Timer.median(granary.stream().map(m -> (Double) m.detail().get("jobSeconds")).toList());
        return String.format("Granary = upload %.2f s + job %.2f s; raw = %s%s", upload, job, raw.describe("load"),
                exactPeak ? "" : "; RSS peak since server start");
    }

    private static String label(String variant, DataSets.Table data) {
        String size = Labels.size(data.sizeMb());
        return switch (variant) {
            case "csv" -> "CSV " + size + " (" + Labels.count(data.rows()) + " rows)";
            case "csv.gz" -> "gzipped CSV " + size;
            default -> data.slices().size() + " slices " + size;
        };
    }

    static void expect(long actual, long expected, String what) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + " rows, expected " + expected);
        }
    }
}
