package io.granary.server;

import io.granary.core.port.Settings;
import io.granary.objectstore.ExternalS3Config;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.PostgresSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run one Granary node. {@code publicUrl} and {@code s3PublicUrl} are what clients are told
 * (null = {@code http://localhost:<port>}); {@code masterToken} is used only on first start.
 * {@code catalog} names the store of the catalog and the job queue, {@code backend} the store of table rows
 * ({@link StoreFactories}: {@code sqlite} for the catalog and {@code duckdb} for tables, embedded on one node, or
 * {@code postgres}, shared by every node on the database); {@code storeSettings} are the values of their settings ({@code --postgres-url}, …).
 * {@code jobLease} is how long a dead node's job waits before another node takes it. {@code s3} null runs the
 * embedded S3 endpoint; otherwise the node uses that external store. {@code duckDbMemory} caps the memory of
 * the in-process engine (DuckDB) in bytes (0 = {@link #DEFAULT_DUCKDB_MEMORY}); beyond it DuckDB spills to disk.
 * {@code shutdownGrace} is how long running jobs may finish when the node is stopped before they are handed back
 * to the queue (null = {@link #DEFAULT_SHUTDOWN_GRACE}). {@code maxUploadBytes} is the largest file part a
 * multipart request to the importer routes may carry (0 = {@link #DEFAULT_MAX_UPLOAD_BYTES}).
 * {@code metricsToken} is the secret {@code GET /metrics} asks for as a bearer token (null = no metrics route).
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
        Settings storeSettings,
        Duration jobLease,
        String nodeName,
        ExternalS3Config s3,
        long duckDbMemory,
        Duration shutdownGrace,
        long maxUploadBytes,
        String metricsToken) {

    public static final String DUCKDB = "duckdb";
    /** The embedded catalog and job queue (until 0.1 they were in DuckDB: {@code catalog.duckdb} is migrated). */
    public static final String SQLITE = "sqlite";
    /** DuckDB's memory cap unless told otherwise; {@code bench/run all --scale large} measured what it costs. */
    public static final long DEFAULT_DUCKDB_MEMORY = 512L << 20;
    /** Below this, DuckDB cannot hold the buffers of one CSV reader per core. */
    public static final long MIN_DUCKDB_MEMORY = 128L << 20;
    public static final String POSTGRES = "postgres";
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    /** Keboola's importer documents 2 GB per file; larger files go to File Storage (S3) directly. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 2L << 30;

    public ServerConfig {
        catalog = catalog == null ? SQLITE : catalog;
        if (catalog.equals(DUCKDB)) {
            throw new IllegalArgumentException("The embedded catalog is on SQLite now: use --catalog sqlite (the default);"
                    + " a catalog.duckdb in the data directory is migrated on the first start.");
        }
        backend = backend == null ? DUCKDB : backend;
        storeSettings = storeSettings == null ? Settings.empty() : storeSettings;
        jobLease = jobLease == null ? Duration.ofSeconds(60) : jobLease;
        duckDbMemory = duckDbMemory == 0 ? DEFAULT_DUCKDB_MEMORY : duckDbMemory;
        if (duckDbMemory < MIN_DUCKDB_MEMORY) {
            throw new IllegalArgumentException("The DuckDB memory limit must be at least 128MiB.");
        }
        StoreFactories.installed().check(catalog, backend, storeSettings);
        if (s3 != null && s3.credentials() == ExternalS3Config.CredentialsMode.GRANARY
                && !StoreFactories.installed().catalog(catalog).shared()) {
            throw new IllegalArgumentException("--s3-credentials granary needs --catalog postgres: the S3 endpoint checks"
                    + " the credentials this node mints in the catalog they share.");
        }
        if (StoreFactories.installed().backend(backend).needsSharedCatalog()
                && !StoreFactories.installed().catalog(catalog).shared()) {
            throw new IllegalArgumentException("--backend " + backend + " needs --catalog postgres: its tables are shared by"
                    + " every node, so tokens, buckets and jobs must be too.");
        }
        shutdownGrace = shutdownGrace == null ? DEFAULT_SHUTDOWN_GRACE : shutdownGrace;
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("The shutdown grace cannot be negative.");
        }
        maxUploadBytes = maxUploadBytes == 0 ? DEFAULT_MAX_UPLOAD_BYTES : maxUploadBytes;
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("The upload limit must be at least 1 byte.");
        }
        if (jobLease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("The job lease must be at least 1 second.");
        }
    }

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("0.0.0.0", 8080, 9000, dataDir, null, null, "granary", "us-east-1", 4, null, SQLITE, DUCKDB,
                null, null, null, null, 0, null, 0, null);
    }

    public ServerConfig withPorts(int apiPort, int s3ApiPort) {
        return new ServerConfig(host, apiPort, s3ApiPort, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers,
                masterToken, catalog, backend, storeSettings, jobLease, nodeName, s3, duckDbMemory, shutdownGrace, maxUploadBytes,
                metricsToken);
    }

    public ServerConfig withMasterToken(String token) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, token,
                catalog, backend, storeSettings, jobLease, nodeName, s3, duckDbMemory, shutdownGrace, maxUploadBytes,
                metricsToken);
    }

    /** {@code GET /metrics} answers scrapers that send this secret as a bearer token. */
    public ServerConfig withMetricsToken(String token) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, masterToken,
                catalog, backend, storeSettings, jobLease, nodeName, s3, duckDbMemory, shutdownGrace, maxUploadBytes, token);
    }

    /** The catalog (with the job queue) and the tables on these stores, with their settings. */
    public ServerConfig withStores(String catalogStore, String tableBackend, Settings settings) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, masterToken,
                catalogStore, tableBackend, settings, jobLease, nodeName, s3, duckDbMemory, shutdownGrace, maxUploadBytes,
                metricsToken);
    }

    /** How long running jobs may finish on a stop before they are handed back. */
    public ServerConfig withShutdownGrace(Duration grace) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, masterToken,
                catalog, backend, storeSettings, jobLease, nodeName, s3, duckDbMemory, grace, maxUploadBytes, metricsToken);
    }

    /** The largest file part a multipart upload may carry. */
    public ServerConfig withMaxUploadBytes(long bytes) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, masterToken,
                catalog, backend, storeSettings, jobLease, nodeName, s3, duckDbMemory, shutdownGrace, bytes, metricsToken);
    }

    // the record's own toString would print the two secrets
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", s3Port=" + s3Port + ", dataDir=" + dataDir + ", catalog="
                + catalog + ", backend=" + backend + ", workers=" + workers + ", masterToken=" + (masterToken == null ? "none"
                : "***") + ", metricsToken=" + (metricsToken == null ? "none" : "***") + "]";
    }

    /** Catalog, job queue and tables all on this PostgreSQL database. */
    public ServerConfig withPostgres(PostgresConfig config) {
        return withStores(POSTGRES, POSTGRES, PostgresSettings.of(config));
    }
}
