package io.granary.server;

import io.granary.objectstore.ExternalS3Config;
import io.granary.postgres.PostgresConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run one Granary node. {@code publicUrl} and {@code s3PublicUrl} are what clients are told
 * (null = {@code http://localhost:<port>}); {@code masterToken} is used only on first start.
 * {@code catalog} and {@code backend} are {@code duckdb} (embedded, one node) or {@code postgres}
 * (then {@code postgres} says where); a PostgreSQL catalog also holds the job queue, shared by every
 * node on it. {@code jobLease} is how long a dead node's job waits before another node takes it.
 * {@code s3} null runs the embedded S3 endpoint; otherwise the node uses that external store.
 * {@code duckDbMemory} caps the DuckDB table engine's memory in bytes (0 = {@link #DEFAULT_DUCKDB_MEMORY}); beyond
 * it DuckDB spills to disk.
 */
public record ServerConfig(
        String host,
        int port,
        int s3Port,
        Path dataDir,
        String publicUrl,
        String s3PublicUrl,
        String s3Bucket,
        String region,
        int workers,
        String masterToken,
        String catalog,
        String backend,
        PostgresConfig postgres,
        Duration jobLease,
        String nodeName,
        ExternalS3Config s3,
        long duckDbMemory) {

    public static final String DUCKDB = "duckdb";
    /** DuckDB's memory cap unless told otherwise; {@code bench/run all --scale large} measured what it costs. */
    public static final long DEFAULT_DUCKDB_MEMORY = io.granary.duckdb.DuckDbTableBackend.DEFAULT_MEMORY_LIMIT;
    /** Below this, DuckDB cannot hold the buffers of one CSV reader per core. */
    public static final long MIN_DUCKDB_MEMORY = 128L << 20;
    public static final String POSTGRES = "postgres";

    public ServerConfig {
        catalog = catalog == null ? DUCKDB : catalog;
        backend = backend == null ? DUCKDB : backend;
        jobLease = jobLease == null ? Duration.ofSeconds(60) : jobLease;
        duckDbMemory = duckDbMemory == 0 ? DEFAULT_DUCKDB_MEMORY : duckDbMemory;
        if (duckDbMemory < MIN_DUCKDB_MEMORY) {
            throw new IllegalArgumentException("The DuckDB memory limit must be at least 128MiB.");
        }
        for (String kind : new String[] {catalog, backend}) {
            if (!kind.equals(DUCKDB) && !kind.equals(POSTGRES)) {
                throw new IllegalArgumentException("Unknown storage kind \"" + kind + "\": use duckdb or postgres.");
            }
        }
        if ((catalog.equals(POSTGRES) || backend.equals(POSTGRES)) && postgres == null) {
            throw new IllegalArgumentException("--catalog postgres and --backend postgres need --postgres-url.");
        }
        if (s3 != null && s3.credentials() == ExternalS3Config.CredentialsMode.GRANARY && !catalog.equals(POSTGRES)) {
            throw new IllegalArgumentException("--s3-credentials granary needs --catalog postgres: the S3 endpoint checks"
                    + " the credentials this node mints in the catalog they share.");
        }
        if (jobLease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("The job lease must be at least 1 second.");
        }
    }

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("0.0.0.0", 8080, 9000, dataDir, null, null, "granary", "us-east-1", 4, null, DUCKDB, DUCKDB,
                null, null, null, null, 0);
    }

    public ServerConfig withPorts(int apiPort, int s3ApiPort) {
        return new ServerConfig(host, apiPort, s3ApiPort, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers,
                masterToken, catalog, backend, postgres, jobLease, nodeName, s3, duckDbMemory);
    }

    public ServerConfig withMasterToken(String token) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, token,
                catalog, backend, postgres, jobLease, nodeName, s3, duckDbMemory);
    }

    /** Catalog, job queue and tables all on this PostgreSQL database. */
    public ServerConfig withPostgres(PostgresConfig config) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, masterToken,
                POSTGRES, POSTGRES, config, jobLease, nodeName, s3, duckDbMemory);
    }

    /** Objects in this external store instead of the embedded endpoint. */
    public ServerConfig withExternalS3(ExternalS3Config store) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, store.bucket(), store.region(), workers,
                masterToken, catalog, backend, postgres, jobLease, nodeName, store, duckDbMemory);
    }

    public ServerConfig withJobs(int workerCount, Duration lease, String name) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workerCount,
                masterToken, catalog, backend, postgres, lease, name, s3, duckDbMemory);
    }

    public ServerConfig withDuckDbMemory(long bytes) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, masterToken,
                catalog, backend, postgres, jobLease, nodeName, s3, bytes);
    }
}
