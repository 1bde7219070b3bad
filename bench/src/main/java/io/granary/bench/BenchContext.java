package io.granary.bench;

import io.granary.client.StorageClient;
import io.granary.client.TableExportOptions;
import io.granary.core.util.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** What scenarios share: the configuration, the generated data, the results, and fresh directories. */
final class BenchContext {

    final BenchConfig config;
    final DataSets data;
    final Measurements results;
    private final Path scratch;
    private final AtomicInteger dirs = new AtomicInteger();

    BenchContext(BenchConfig config, Measurements results) throws IOException {
        this.config = config;
        this.results = results;
        this.data = new DataSets(config.workDir().resolve("data"), config.slices());
        this.scratch = config.workDir().resolve("scratch");
        FileTrees.delete(scratch);
        Files.createDirectories(scratch);
    }

    /** A new empty directory under the work directory. */
    Path freshDir(String name) throws IOException {
        Path dir = scratch.resolve(dirs.incrementAndGet() + "-" + name);
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * A Granary server with a fresh data directory on {@code backend}, warmed up: one small import, incremental
     * import and export went through it (and through the bench's own client), so no first-call costs land in
     * the measurements.
     */
    ServerUnderTest startServer(String scenario, Backend backend) throws Exception {
        long t0 = System.nanoTime();
        int n = dirs.incrementAndGet();
        ServerUnderTest server = ServerUnderTest.start(scratch.resolve(n + "-" + scenario + "-server"),
                config.workDir().resolve("logs").resolve(n + "-" + scenario + "-server.log"), config.serverHeap(),
                config.workDir().resolve("cds"), backend.serverArgs());
        double started = Timer.since(t0);
        try (StorageClient client = server.client()) {
            Path file = data.small(1, LatencyScenario.ROWS).get(0);
            client.createBucket("warmup", "in", null);
            String table = GranaryOps.create(client, "in.c-warmup", "w", file, List.of("id")).tableId();
            GranaryOps.write(client, table, file, true);
            client.deleteFile(client.exportTableAsync(table, TableExportOptions.defaults().gzip(true))
                    .path("results").path("file").path("id").asLong());
            client.dropBucket("in.c-warmup", true);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        Log.info("%s: started %s in %.1f s, warmed up in %.1f s", scenario, server, started, Timer.since(t0) - started);
        return server;
    }

    /** Deletes what a scenario left in the work directory (generated data stays for the next scenario). */
    void cleanScratch() throws IOException {
        FileTrees.delete(scratch);
        Files.createDirectories(scratch);
    }
}
