package io.granary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.client.StorageClient;
import io.granary.client.TableExportOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Scenario 3 (and its PostgreSQL twin): the generated table exported. Granary: an {@code export-async} job,
 * which leaves a sliced (gzipped) CSV or Parquet file in the object store; raw: COPY … TO a local file (PostgreSQL
 * has no Parquet COPY: its Parquet row has no raw side).
 */
final class ExportScenario implements Scenario {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Backend backend;

    ExportScenario(Backend backend) {
        this.backend = backend;
    }

    @Override
    public String name() {
        return backend.scenario("export");
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
                ImportScenario.expect(raw.createAndLoad("t", data.csv()), data.rows(), "raw load");
                String tableId = GranaryOps.create(client, bucket, "t", data.csv(), List.of()).tableId();
                GranaryOps.expectRows(client, tableId, data.rows());
                Log.info("%s: loaded %d rows on both sides", name(), data.rows());
                String size = Labels.size(sizeMb);
                csv(ctx, server, client, raw, tableId, scratch, "gzipped CSV " + size, true);
                csv(ctx, server, client, raw, tableId, scratch, "CSV " + size, false);
                parquet(ctx, server, client, raw, tableId, scratch, "Parquet " + size);
            }
            ctx.cleanScratch();
        }
    }

    private void csv(BenchContext ctx, ServerUnderTest server, StorageClient client, RawEngine raw, String tableId,
            Path scratch, String label, boolean gzip) throws Exception {
        boolean exact = server.resetPeak();
        long slices = 0;
        for (int run = 0; run < ctx.config.runs(); run++) {
            Path target = scratch.resolve("export.csv" + (gzip ? ".gz" : ""));
            long t0 = System.nanoTime();
            long rawBytes = raw.exportCsv("t", target, gzip);
            double rawSeconds = Timer.since(t0);
            Files.deleteIfExists(target);
            ctx.results.add(name(), label, Measurements.Side.RAW, run, rawSeconds, "s", Map.of("bytes", rawBytes));

            long t1 = System.nanoTime();
            JsonNode job = client.exportTableAsync(tableId, TableExportOptions.defaults().gzip(gzip));
            double granarySeconds = Timer.since(t1);
            long fileId = job.path("results").path("file").path("id").asLong();
            JsonNode file = client.getFile(fileId, false);
            long bytes = file.path("sizeBytes").asLong();
            if (bytes <= 0) {
                throw new IllegalStateException("the export file " + fileId + " is empty: " + file);
            }
            slices = sliceCount(file);
            client.deleteFile(fileId);
            ctx.results.add(name(), label, Measurements.Side.GRANARY, run, granarySeconds, "s",
                    Map.of("bytes", bytes, "slices", slices));
            Log.info("%s %s run %d: raw %.2f s (%d MiB), Granary %.2f s (%d MiB in %d slices)", name(), label, run + 1,
                    rawSeconds, rawBytes >> 20, granarySeconds, bytes >> 20, slices);
        }
        ctx.results.summarize(name(), label, "s", server.peakRssBytes(), "Granary = export-async job, "
                + slices + " slice(s) in the object store; raw = " + raw.describe("export")
                + (gzip && backend == Backend.DUCKDB ? " (DuckDB's own single-threaded gzip)" : "")
                + (exact ? "" : "; RSS since start"));
    }

    private void parquet(BenchContext ctx, ServerUnderTest server, StorageClient client, RawEngine raw, String tableId,
            Path scratch, String label) throws Exception {
        boolean exact = server.resetPeak();
        long slices = 0;
        boolean rawDone = true;
        for (int run = 0; run < ctx.config.runs(); run++) {
            if (rawDone) {
                Path target = scratch.resolve("export.parquet");
                long t0 = System.nanoTime();
                long bytes = raw.exportParquet("t", target);
                rawDone = bytes >= 0;
                if (rawDone) {
                    double seconds = Timer.since(t0);
                    Files.deleteIfExists(target);
                    ctx.results.add(name(), label, Measurements.Side.RAW, run, seconds, "s", Map.of("bytes", bytes));
                }
            }
            long t1 = System.nanoTime();
            JsonNode job = client.exportTableAsync(tableId, TableExportOptions.defaults().fileType("parquet").gzip(true));
            double granarySeconds = Timer.since(t1);
            long fileId = job.path("results").path("file").path("id").asLong();
            JsonNode file = client.getFile(fileId, false);
            long bytes = file.path("sizeBytes").asLong();
            if (bytes <= 0 || !"parquet".equals(file.path("fileType").asText())) {
                throw new IllegalStateException("the Parquet export file " + fileId + " is wrong: " + file);
            }
            slices = sliceCount(file);
            client.deleteFile(fileId);
            ctx.results.add(name(), label, Measurements.Side.GRANARY, run, granarySeconds, "s",
                    Map.of("bytes", bytes, "slices", slices));
        }
        String note = "Granary = export-async job, " + slices + " Snappy Parquet slice(s) in the object store"
                + switch (backend) {
                    case DUCKDB -> "";
                    case POSTGRES -> " (PostgreSQL COPY CSV slices converted by in-process DuckDB)";
                    case TRINO -> " (rows read over JDBC into CSV slices converted by in-process DuckDB)";
                }
                + (rawDone ? "; raw = " + raw.describe("export-parquet") : "; raw: " + backend.label()
                        + " has no Parquet COPY");
        ctx.results.summarize(name(), label, "s", server.peakRssBytes(), note + (exact ? "" : "; RSS since start"));
    }

    // a sliced file's url serves its manifest, whose entries are the slices
    private static long sliceCount(JsonNode file) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(file.path("url").asText())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("cannot read the export's manifest: HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body()).path("entries").size();
    }
}
