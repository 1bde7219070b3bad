package io.granary.cli;

import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import io.granary.objectstore.ExternalS3Config;
import io.granary.server.GranaryServer;
import io.granary.server.ServerConfig;
import io.granary.server.StoreFactories;
import io.granary.server.logging.LogFormat;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code granary server}: one process with the Storage API, the embedded S3 endpoint, a SQLite catalog and DuckDB tables. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Start a Granary node: by default the embedded S3 endpoint, a SQLite catalog and DuckDB tables under --data-dir; with --catalog/--backend postgres and --s3-* flags, one of many nodes sharing PostgreSQL and an S3 store (docs/scale-out.md). Ctrl-C stops it.")
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "${env:GRANARY_HOST:-0.0.0.0}", description = "Address to listen on (env GRANARY_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:GRANARY_PORT:-8080}", description = "Storage API port (env GRANARY_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--s3-port", defaultValue = "${env:GRANARY_S3_PORT:-9000}", description = "Embedded S3 endpoint port (env GRANARY_S3_PORT; default ${DEFAULT-VALUE}).")
    int s3Port;

    @Option(names = "--data-dir", defaultValue = "${env:GRANARY_DATA_DIR:-./granary-data}", description = "Where all state lives (env GRANARY_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--public-url", defaultValue = "${env:GRANARY_PUBLIC_URL}", description = "API URL clients are told (env GRANARY_PUBLIC_URL; default http://localhost:<port>).")
    String publicUrl;

    @Option(names = "--s3-public-url", defaultValue = "${env:GRANARY_S3_PUBLIC_URL}", description = "S3 endpoint URL clients are told (env GRANARY_S3_PUBLIC_URL; default http://localhost:<s3-port>).")
    String s3PublicUrl;

    @Option(names = "--s3-bucket", defaultValue = "${env:GRANARY_S3_BUCKET:-granary}", description = "S3 bucket holding all files (env GRANARY_S3_BUCKET; default ${DEFAULT-VALUE}).")
    String s3Bucket;

    @Option(names = "--workers", defaultValue = "${env:GRANARY_WORKERS:-4}", description = "Job worker threads (env GRANARY_WORKERS; default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--duckdb-memory", defaultValue = "${env:GRANARY_DUCKDB_MEMORY:-512MiB}", description = "Memory the DuckDB table engine may use, e.g. 512MiB or 4GiB; beyond it DuckDB spills to disk under the data dir. The server's total is about this plus the Java heap (env GRANARY_DUCKDB_MEMORY; default ${DEFAULT-VALUE}).")
    String duckDbMemory;

    @Option(names = "--catalog", defaultValue = "${env:GRANARY_CATALOG:-sqlite}", description = "Where tokens, buckets, files and jobs are recorded: {stores}; sqlite keeps them on this node (a DuckDB catalog of an earlier version is migrated on the first start), postgres shares them with every node on the database (env GRANARY_CATALOG; default ${DEFAULT-VALUE}).")
    String catalog;

    @Option(names = "--backend", defaultValue = "${env:GRANARY_BACKEND:-duckdb}", description = "Where table rows live: {stores} (env GRANARY_BACKEND; default ${DEFAULT-VALUE}).")
    String backend;

    @Spec
    CommandSpec spec;

    @Option(names = "--job-lease", defaultValue = "${env:GRANARY_JOB_LEASE:-60}", description = "Seconds a running job's lease lasts; a node that stops renewing it (it died) loses its jobs to other nodes after this long (env GRANARY_JOB_LEASE; default ${DEFAULT-VALUE}).")
    int jobLeaseSeconds;

    @Option(names = "--shutdown-grace", defaultValue = "${env:GRANARY_SHUTDOWN_GRACE:-30}", description = "Seconds running jobs may take to finish when the server is stopped (SIGTERM, Ctrl-C); meanwhile new jobs are refused with 503, and jobs still running after it are handed back to the queue and run again after the restart or on another node; HTTP requests in flight get what is left of it to finish (env GRANARY_SHUTDOWN_GRACE; default ${DEFAULT-VALUE}).")
    int shutdownGraceSeconds;

    @Option(names = "--max-upload-size", defaultValue = "${env:GRANARY_MAX_UPLOAD_SIZE:-2GiB}", description = "Largest file one multipart upload to the importer routes (/upload-file, /write-table) may carry, e.g. 500MiB; a larger one is refused with 413 as it streams in, and nothing is stored. Larger files go to File Storage (files/prepare, then S3) (env GRANARY_MAX_UPLOAD_SIZE; default ${DEFAULT-VALUE}, as Keboola's importer).")
    String maxUploadSize;

    @Option(names = "--node-name", defaultValue = "${env:GRANARY_NODE_NAME}", description = "Name of this node in job records and logs (env GRANARY_NODE_NAME; default a random name).")
    String nodeName;

    @Option(names = "--s3-endpoint", defaultValue = "${env:GRANARY_S3_ENDPOINT}", description = "Use this external S3-compatible store instead of the embedded endpoint, e.g. http://minio:9000 (env GRANARY_S3_ENDPOINT). See docs/scale-out.md.")
    String s3Endpoint;

    @Option(names = "--s3-region", defaultValue = "${env:GRANARY_S3_REGION:-us-east-1}", description = "Signing region of the external store (env GRANARY_S3_REGION; default ${DEFAULT-VALUE}).")
    String s3Region;

    @Option(names = "--s3-access-key", defaultValue = "${env:GRANARY_S3_ACCESS_KEY}", description = "The server's own key for the external store (env GRANARY_S3_ACCESS_KEY).")
    String s3AccessKey;

    @Option(names = "--s3-secret-key", defaultValue = "${env:GRANARY_S3_SECRET_KEY}", description = "Its secret; prefer the env GRANARY_S3_SECRET_KEY, which other users cannot see in the process list.")
    String s3SecretKey;

    @Option(names = "--s3-path-style", arity = "0..1", defaultValue = "${env:GRANARY_S3_PATH_STYLE}", description = "Path-style addressing (endpoint/bucket/key); default on with --s3-endpoint, off for AWS S3 (env GRANARY_S3_PATH_STYLE).")
    Boolean s3PathStyle;

    @Option(names = "--s3-credentials", defaultValue = "${env:GRANARY_S3_CREDENTIALS}", description = "How clients get access to a file's objects on the external store: sts-federation, sts-assume-role, presigned or granary (env GRANARY_S3_CREDENTIALS; default sts-assume-role with --s3-endpoint, sts-federation for AWS S3).")
    String s3Credentials;

    @Option(names = "--log-format", defaultValue = "${env:GRANARY_LOG_FORMAT:-text}", description = "text (one line per event) or json (one JSON object per line with time, level, logger, message and jobId, runId, exceptionId, tokenId where they apply) (env GRANARY_LOG_FORMAT; default ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--metrics-token", defaultValue = "${env:GRANARY_METRICS_TOKEN}", description = "Serve GET /metrics (Prometheus) to scrapers that send this secret as \"Authorization: Bearer <token>\"; without it there is no metrics route. Prefer the env GRANARY_METRICS_TOKEN, which other users cannot see in the process list.")
    String metricsToken;

    @Option(names = "--s3-role-arn", defaultValue = "${env:GRANARY_S3_ROLE_ARN}", description = "Role that sts-assume-role assumes (required on AWS S3; env GRANARY_S3_ROLE_ARN).")
    String s3RoleArn;

    /**
     * Adds the flags of every installed catalog store and table backend ({@code --postgres-url}, …), each also
     * read from its {@code GRANARY_*} variable, so a new backend brings its flags without a change here.
     */
    static void addStoreOptions(CommandSpec server) {
        StoreFactories stores = StoreFactories.installed();
        nameChoices(server, "--catalog", stores.catalogChoices());
        nameChoices(server, "--backend", stores.backendChoices());
        for (Setting setting : StoreFactories.installed().settings()) {
            String env = setting.environmentVariable();
            String fallback = setting.defaultValue() == null ? "" : ":-" + setting.defaultValue();
            String description = setting.secret() ? setting.description() : setting.description() + " (env " + env
                    + (setting.defaultValue() == null ? "" : "; default ${DEFAULT-VALUE}") + ").";
            server.addOption(OptionSpec.builder(setting.flag()).paramLabel("<" + setting.name() + ">").type(String.class)
                    .defaultValue("${env:" + env + fallback + "}").description(description).build());
        }
    }

    // the help of --catalog and --backend lists the installed stores
    private static void nameChoices(CommandSpec server, String flag, String choices) {
        OptionSpec option = server.findOption(flag);
        String[] description = option.description().clone();
        description[0] = description[0].replace("{stores}", choices);
        server.remove(option);
        server.addOption(OptionSpec.builder(option).description(description).build());
    }

    /** The values of the store flags, by setting name. */
    private Settings storeSettings() {
        Settings settings = Settings.empty();
        for (Setting setting : StoreFactories.installed().settings()) {
            OptionSpec option = spec.findOption(setting.flag());
            String value = option == null ? null : option.getValue();
            settings = settings.with(setting.name(), value);
        }
        return settings;
    }

    @Override
    public Integer call() throws Exception {
        String masterToken = System.getenv("GRANARY_MASTER_TOKEN");
        ServerConfig config;
        LogFormat format;
        try {
            format = LogFormat.parse(logFormat);
            config = new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, "us-east-1",
                    workers, masterToken, catalog, backend, storeSettings(), Duration.ofSeconds(jobLeaseSeconds), nodeName,
                    externalS3(), duckDbMemoryBytes(), shutdownGrace(), maxUploadBytes(), metricsToken);
        } catch (IllegalArgumentException e) {
            throw new Connection.UsageException(e.getMessage());
        }
        format.apply();
        json = format == LogFormat.JSON;
        GranaryServer server = GranaryServer.start(config);
        CountDownLatch stopRequested = new CountDownLatch(1);
        // SIGTERM and Ctrl-C start an orderly stop on this thread, which then exits 0; the hook covers other exits
        StopSignals.onStop(stopRequested::countDown);
        AtomicBoolean closed = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (closed.compareAndSet(false, true)) {
                server.close();
            }
        }, "granary-shutdown"));
        if (!json) {
            System.err.println();
        }
        say("Granary is running.");
        say("  Console:      " + server.url() + "/   (sign in with the master token)");
        say("  Storage API:  " + server.url() + "/v2/storage");
        say("  S3 endpoint:  " + server.s3Url());
        say("  Data dir:     " + dataDir.toAbsolutePath().normalize());
        say("  Catalog:      " + server.catalogDescription());
        say("  Tables:       " + server.tablesDescription());
        server.newMasterToken().ifPresentOrElse(
                secret -> {
                    if (masterToken == null || masterToken.isBlank()) {
                        Path file = dataDir.resolve("master-token");
                        if (json) {
                            // JSON logs go to collectors: there the secret stays in its file
                            say("  Master token: created and saved to " + file + " (mode 600)");
                        } else {
                            say("  Master token: " + secret + "   (shown once; also saved to " + file + ", mode 600)");
                        }
                    } else {
                        say("  Master token: taken from GRANARY_MASTER_TOKEN");
                    }
                },
                () -> say("  Master token: see " + dataDir.resolve("master-token")
                        + " (created on first start)"));
        say("Press Ctrl-C to stop.");
        stopRequested.await();
        say("Stopping Granary: no new jobs; running jobs get up to " + shutdownGraceSeconds
                + " s to finish, the rest go back to the queue…");
        if (closed.compareAndSet(false, true)) {
            server.close();
        }
        say("Granary stopped.");
        return 0;
    }

    private Duration shutdownGrace() {
        if (shutdownGraceSeconds < 0) {
            throw new Connection.UsageException("--shutdown-grace: seconds cannot be negative.");
        }
        return Duration.ofSeconds(shutdownGraceSeconds);
    }

    private long maxUploadBytes() {
        try {
            long bytes = Sizes.parse(maxUploadSize);
            if (bytes < 1) {
                throw new Connection.UsageException("the limit must be at least 1 byte.");
            }
            return bytes;
        } catch (Connection.UsageException e) {
            throw new Connection.UsageException("--max-upload-size: " + e.getMessage());
        }
    }

    private boolean json;

    // the start-up summary: plain lines on the terminal, log events when the logs are JSON (every line stays JSON)
    private void say(String line) {
        if (json) {
            LoggerFactory.getLogger(ServerCommand.class).info(line.strip());
        } else {
            System.err.println(line);
        }
    }

    private long duckDbMemoryBytes() {
        try {
            return Sizes.parse(duckDbMemory);
        } catch (Connection.UsageException e) {
            throw new Connection.UsageException("--duckdb-memory: " + e.getMessage());
        }
    }

    private ExternalS3Config externalS3() {
        boolean external = (s3Endpoint != null && !s3Endpoint.isBlank()) || (s3Credentials != null && !s3Credentials.isBlank());
        if (!external) {
            return null;
        }
        URI endpoint = s3Endpoint == null || s3Endpoint.isBlank() ? null : URI.create(s3Endpoint.strip());
        ExternalS3Config.CredentialsMode mode = s3Credentials != null && !s3Credentials.isBlank()
                ? ExternalS3Config.CredentialsMode.parse(s3Credentials)
                : endpoint == null ? ExternalS3Config.CredentialsMode.STS_FEDERATION
                : ExternalS3Config.CredentialsMode.STS_ASSUME_ROLE;
        boolean pathStyle = s3PathStyle != null ? s3PathStyle : endpoint != null;
        URI publicEndpoint = s3PublicUrl == null || s3PublicUrl.isBlank() ? null : URI.create(s3PublicUrl.strip());
        return new ExternalS3Config(endpoint, s3Region, s3Bucket, s3AccessKey, s3SecretKey, pathStyle, mode, s3RoleArn,
                publicEndpoint);
    }
}
