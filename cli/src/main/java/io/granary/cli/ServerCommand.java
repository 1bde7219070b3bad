package io.granary.cli;

import io.granary.server.GranaryServer;
import io.granary.server.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code granary server}: one process with the Storage API, the embedded S3 endpoint and DuckDB. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Start Granary on its embedded defaults (S3 endpoint + DuckDB under --data-dir). Ctrl-C stops it.")
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

    @Override
    public Integer call() throws Exception {
        String masterToken = System.getenv("GRANARY_MASTER_TOKEN");
        ServerConfig config = new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, "us-east-1",
                workers, masterToken);
        GranaryServer server = GranaryServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("Stopping Granary…");
            server.close();
            stopped.countDown();
        }, "granary-shutdown"));
        System.err.println();
        System.err.println("Granary is running.");
        System.err.println("  Storage API:  " + server.url() + "/v2/storage");
        System.err.println("  S3 endpoint:  " + server.s3Url());
        System.err.println("  Data dir:     " + dataDir.toAbsolutePath().normalize());
        server.newMasterToken().ifPresentOrElse(
                secret -> {
                    if (masterToken == null || masterToken.isBlank()) {
                        System.err.println("  Master token: " + secret + "   (shown once; also saved to "
                                + dataDir.resolve("master-token") + ", mode 600)");
                    } else {
                        System.err.println("  Master token: taken from GRANARY_MASTER_TOKEN");
                    }
                },
                () -> System.err.println("  Master token: see " + dataDir.resolve("master-token")
                        + " (created on first start)"));
        System.err.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }
}
