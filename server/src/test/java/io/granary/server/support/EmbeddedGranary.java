package io.granary.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.core.util.FileTrees;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import io.granary.server.GranaryServer;
import io.granary.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Starts a real Granary server (API + embedded S3 + DuckDB) on free ports with a fresh data
 * directory for a test class, and gives tests an HTTP client and AWS SDK clients for it. With the
 * system property {@code granary.test.storage=postgres} (the build's second test run), catalog, job
 * queue and tables are on a fresh database of a real PostgreSQL instead: the same tests, the other
 * implementation of every port.
 */
public final class EmbeddedGranary implements BeforeAllCallback, AfterAllCallback {

    public static final String MASTER_TOKEN = "1-1-test-master-token-secret";

    private Path dataDir;
    private GranaryServer server;
    private PostgresConfig postgres;

    /** Whether this test run uses the PostgreSQL catalog, queue and tables. */
    public static boolean onPostgres() {
        return "postgres".equals(System.getProperty("granary.test.storage"));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("granary-test");
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
        FileTrees.delete(dataDir);
    }

    public void start() {
        ServerConfig config = ServerConfig.defaults(dataDir).withPorts(0, 0).withMasterToken(MASTER_TOKEN);
        if (onPostgres()) {
            if (postgres == null) {
                postgres = TestPostgres.newDatabase();
            }
            config = config.withPostgres(postgres);
        }
        server = GranaryServer.start(config);
    }

    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Stops and starts the server on the same data directory (new ports). */
    public void restart() {
        stop();
        start();
    }

    public Path dataDir() {
        return dataDir;
    }

    public String url() {
        return server.url();
    }

    public String s3Url() {
        return server.s3Url();
    }

    public Api master() {
        return api(MASTER_TOKEN);
    }

    public Api api(String token) {
        return new Api(server.url(), token);
    }

    /** An S3 client as Keboola's clients build one from a file resource's credentials. */
    public S3Client s3(JsonNode credentials) {
        return S3Client.builder()
                .endpointOverride(URI.create(server.s3Url()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                // Apache sends Expect: 100-continue like the AWS CLI and boto3, so a refused upload is a clean 403
                .httpClientBuilder(ApacheHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        credentials.get("AccessKeyId").asText(), credentials.get("SecretAccessKey").asText(),
                        credentials.get("SessionToken").asText())))
                .build();
    }

}
