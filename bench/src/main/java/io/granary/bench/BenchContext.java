package io.granary.bench;

import io.granary.client.StorageClient;
import io.granary.client.TableExportOptions;
import io.granary.core.util.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What scenarios share: the configuration, the generated data, the results, fresh directories, and with
 * {@link BenchConfig#sharedServer()} one warmed-up server per backend.
 */
final class BenchContext implements AutoCloseable {

    final BenchConfig config;
    final DataSets data;
    final Measurements results;
    private final Path scratch;
    private final AtomicInteger dirs = new AtomicInteger();
    private final Map<Backend, ServerUnderTest> shared = new EnumMap<>(Backend.class);
    private BenchTrino trino;

    BenchContext(BenchConfig config, Measurements results) throws IOException {
        this.config = config;
        this.results = results;
        this.data = new DataSets(config.workDir().resolve("data"), config.slices());
        this.scratch = config.workDir().resolve("scratch");
        FileTrees.delete(scratch);
        Files.createDirectories(scratch);
        FileTrees.delete(config.workDir().resolve("servers"));
    }

    /** A new empty directory under the work directory. */
    Path freshDir(String name) throws IOException {
        Path dir = scratch.resolve(dirs.incrementAndGet() + "-" + name);
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * A Granary server with a fresh data directory on {@code backend}, warmed up: one small import, a small and a
     * 64 MiB incremental import and an export went through it (and through the bench's own client), so no first-call costs land in
     * the measurements.
     */
    /** Rows of the warm-up's large file: about 64 MiB. */
    static final int WARMUP_ROWS = 550_000;

    ServerUnderTest startServer(String scenario, Backend backend) throws Exception {
        if (config.sharedServer()) {
            ServerUnderTest server = shared.get(backend);
            if (server == null) {
                server = start(scenario, backend).share();
                shared.put(backend, server);
            }
            return server;
        }
        return start(scenario, backend);
    }

    private List<String> serverArgs(Backend backend) {
        List<String> args = new java.util.ArrayList<>(backend.serverArgs(this));
        if (backend == Backend.DUCKDB && config.duckDbMemory() != null) {
            args.addAll(List.of("--duckdb-memory", config.duckDbMemory()));
        }
        return args;
    }

    private ServerUnderTest start(String scenario, Backend backend) throws Exception {
        long t0 = System.nanoTime();
        int n = dirs.incrementAndGet();
        ServerUnderTest server = ServerUnderTest.start(config.workDir().resolve("servers").resolve(n + "-" + scenario),
                config.workDir().resolve("logs").resolve(n + "-" + scenario + "-server.log"), config.serverHeap(),
                config.workDir().resolve("cds"), serverArgs(backend));
        double started = Timer.since(t0);
        try (StorageClient client = server.client()) {
            Path file = data.small(1, LatencyScenario.ROWS).get(0);
            client.createBucket("warmup", "in", null);
            String table = GranaryOps.create(client, "in.c-warmup", "w", file, List.of("id")).tableId();
            GranaryOps.write(client, table, file, true);
            // a large body too, so the per-byte paths (payload signatures, MD5, CSV checks, copies) are compiled
            // before a measurement: the first 1 GiB upload to a new server took 5-6 s, the next ones 3.1-3.3 s
            GranaryOps.write(client, table, data.small(1, WARMUP_ROWS).get(0), true);
            client.deleteFile(client.exportTableAsync(table, TableExportOptions.defaults().gzip(true))
                    .path("results").path("file").path("id").asLong());
            client.dropBucket("in.c-warmup", true);
        } catch (Exception | Error e) {
            server.stop();
            throw e;
        }
        Log.info("%s: started %s in %.1f s, warmed up in %.1f s", scenario, server, started, Timer.since(t0) - started);
        return server;
    }

    /** The run's local Trino, started on first use (20–30 s, not measured) and stopped by {@link #close()}. */
    synchronized BenchTrino trino() {
        if (trino == null) {
            try {
                trino = BenchTrino.start(config.workDir().resolve("trino"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return trino;
    }

    /** Creates a bucket no other scenario uses (servers may be shared) and returns its id. */
    String newBucket(StorageClient client, String scenario) {
        String name = scenario + "-" + dirs.incrementAndGet();
        client.createBucket(name, "in", null);
        return "in.c-" + name;
    }

    @Override
    public void close() throws InterruptedException, IOException {
        for (ServerUnderTest server : shared.values()) {
            server.stop();
        }
        shared.clear();
        if (trino != null) {
            trino.close();
            trino = null;
        }
    }

    /** Deletes what a scenario left in the work directory (generated data stays for the next scenario). */
    void cleanScratch() throws IOException {
        FileTrees.delete(scratch);
        Files.createDirectories(scratch);
    }
}
