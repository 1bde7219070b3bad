package io.granary.cli;

import io.granary.postgres.PostgresConfig;
import io.granary.server.SharedS3Endpoint;
import io.granary.server.console.ConsoleOrigins;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code granary s3}: the embedded S3 endpoint alone, shared by nodes through the PostgreSQL catalog. */
@Command(name = "s3", mixinStandardHelpOptions = true,
        description = "Serve Granary's S3 endpoint on its own for several nodes that share a PostgreSQL catalog (nodes use --s3-credentials granary). Ctrl-C stops it.")
public final class S3Command implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "${env:GRANARY_HOST:-0.0.0.0}", description = "Address to listen on (env GRANARY_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:GRANARY_S3_PORT:-9000}", description = "Port (env GRANARY_S3_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", defaultValue = "${env:GRANARY_DATA_DIR:-./granary-s3}", description = "Where objects and the system key live (env GRANARY_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--s3-bucket", defaultValue = "${env:GRANARY_S3_BUCKET:-granary}", description = "The bucket (env GRANARY_S3_BUCKET; default ${DEFAULT-VALUE}).")
    String bucket;

    @Option(names = "--postgres-url", required = true, defaultValue = "${env:GRANARY_POSTGRES_URL}", description = "JDBC URL of the nodes' PostgreSQL catalog (env GRANARY_POSTGRES_URL).")
    String postgresUrl;

    @Option(names = "--postgres-user", defaultValue = "${env:GRANARY_POSTGRES_USER:-granary}", description = "PostgreSQL user (env GRANARY_POSTGRES_USER; default ${DEFAULT-VALUE}).")
    String postgresUser;

    @Option(names = "--postgres-password", defaultValue = "${env:GRANARY_POSTGRES_PASSWORD}", description = "PostgreSQL password; prefer the env GRANARY_POSTGRES_PASSWORD.")
    String postgresPassword;

    @Option(names = "--console-url", split = ",", defaultValue = "${env:GRANARY_CONSOLE_URLS}", description = "Public URL of a node's web console (its --public-url), whose pages may then upload and download straight from the browser; repeat or separate by commas for several nodes (env GRANARY_CONSOLE_URLS).")
    List<String> consoleUrls;

    @Override
    public Integer call() throws Exception {
        PostgresConfig postgres = new PostgresConfig(postgresUrl, postgresUser, postgresPassword == null ? "" : postgresPassword, 4);
        List<String> origins = new ArrayList<>();
        for (String url : consoleUrls == null ? List.<String>of() : consoleUrls) {
            if (!url.isBlank()) {
                try {
                    origins.addAll(ConsoleOrigins.of(url.strip()));
                } catch (RuntimeException e) {
                    throw new Connection.UsageException("--console-url: \"" + url + "\" is not a URL like http://host:8080.");
                }
            }
        }
        SharedS3Endpoint endpoint = SharedS3Endpoint.start(dataDir, host, port, bucket, postgres, origins);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            endpoint.close();
            stopped.countDown();
        }, "granary-s3-shutdown"));
        Path keyFile = dataDir.toAbsolutePath().normalize().resolve("s3-system-key.properties");
        System.err.println();
        System.err.println("Granary S3 endpoint is running.");
        System.err.println("  Endpoint:    " + endpoint.endpoint() + "  (bucket " + bucket + ")");
        System.err.println("  Catalog:     " + postgres.url());
        System.err.println("  Nodes use:   --s3-endpoint <this endpoint> --s3-bucket " + bucket + " --s3-credentials granary");
        System.err.println("               --s3-access-key " + endpoint.accessKey() + " and the secretKey from " + keyFile);
        System.err.println("  Consoles:    " + (origins.isEmpty() ? "none may upload from a browser (--console-url)"
                : String.join(", ", origins)));
        System.err.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }
}
