package io.granary.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.core.util.FileTrees;
import io.granary.objectstore.ExternalS3Config;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import io.granary.server.GranaryServer;
import io.granary.server.ServerConfig;
import io.granary.trino.TestTrino;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * implementation of every port. With {@code granary.test.storage=trino} (the third run) catalog and job queue
 * are on PostgreSQL and the tables on the shared local Trino ({@link TestTrino}) over Iceberg, in Trino catalogs
 * of this server's own, which it creates as a real node does and which are dropped when the class is done.
 *
 * <p>The one harness of every module's tests (published as the server's test-jar): register it with
 * {@code @RegisterExtension static EmbeddedGranary granary = new EmbeddedGranary();}, then talk to
 * {@link #url()} with {@link #MASTER_TOKEN} (the Java client, the CLI, the runner) or use {@link #master()}.
 * {@link #withPresignedStore()} keeps the objects in an external store that mints no credentials instead.
 */
public final class EmbeddedGranary implements BeforeAllCallback, AfterAllCallback {

    public static final String MASTER_TOKEN = "1-1-test-master-token-secret";
    /** What {@code GET /metrics} asks for as a bearer token on every test server. */
    public static final String METRICS_TOKEN = "test-metrics-scrape-secret";
    private static final String TRINO = "trino";

    private final boolean presignedStore;
    private final boolean postgresAlways;
    private final java.util.function.UnaryOperator<ServerConfig> configure;
    private Path dataDir;
    private GranaryServer server;
    private PostgresConfig postgres;
    private PresignedStore store;
    private String trinoCatalog;

    /** Objects on the node's own embedded S3 endpoint. */
    public EmbeddedGranary() {
        this(false);
    }

    private EmbeddedGranary(boolean presignedStore) {
        this(presignedStore, false, c -> c);
    }

    private EmbeddedGranary(boolean presignedStore, boolean postgresAlways,
            java.util.function.UnaryOperator<ServerConfig> configure) {
        this.presignedStore = presignedStore;
        this.postgresAlways = postgresAlways;
        this.configure = configure;
    }

    /**
     * Catalog, queue and tables on PostgreSQL (embedded) whatever {@link #onPostgres()} says: for a test of what
     * only that backend has (a PostgreSQL workspace that a real {@code psql} logs in to).
     */
    public static EmbeddedGranary withPostgres() {
        return new EmbeddedGranary(false, true, c -> c);
    }

    /** A server whose configuration {@code configure} changes (limits, grace) before it starts. */
    public static EmbeddedGranary configured(java.util.function.UnaryOperator<ServerConfig> configure) {
        return new EmbeddedGranary(false, false, configure);
    }

    /**
     * Objects in an external S3 store in {@code presigned} mode ({@code --s3-credentials presigned}): Granary mints
     * no credentials, files go up with one plain PUT to a presigned URL and come back with a presigned GET, and
     * sliced uploads are refused. The store is a real S3 endpoint started beside the server.
     */
    public static EmbeddedGranary withPresignedStore() {
        return new EmbeddedGranary(true);
    }

    /** Whether this test run keeps the catalog and the job queue on PostgreSQL (the PostgreSQL and the Trino runs). */
    public static boolean onPostgres() {
        return !backend().equals(ServerConfig.DUCKDB);
    }

    /** The table backend of this test run: {@code duckdb}, {@code postgres} or {@code trino}. */
    public static String backend() {
        String storage = System.getProperty("granary.test.storage");
        return storage == null || storage.isBlank() ? ServerConfig.DUCKDB : storage.strip();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("granary-test");
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
        if (store != null) {
            store.close();
            store = null;
        }
        if (trinoCatalog != null) {
            TestTrino.dropCatalogs(trinoCatalog);
            trinoCatalog = null;
        }
        FileTrees.delete(dataDir);
    }

    public void start() {
        ServerConfig config = ServerConfig.defaults(dataDir).withPorts(0, 0).withMasterToken(MASTER_TOKEN)
                .withMetricsToken(METRICS_TOKEN);
        if (presignedStore) {
            if (store == null) {
                store = PresignedStore.start(dataDir.resolve("external-store"));
            }
            config = onExternalStore(config, store.config());
        }
        if (postgresAlways || onPostgres()) {
            if (postgres == null) {
                postgres = TestPostgres.newDatabase();
            }
            config = config.withPostgres(postgres);
        }
        if (backend().equals(TRINO)) {
            if (trinoCatalog == null) {
                trinoCatalog = TestTrino.newCatalogName();
            }
            config = config.withStores(ServerConfig.POSTGRES, TRINO, TestTrino.settings(config.storeSettings(), trinoCatalog));
        }
        server = GranaryServer.start(configure.apply(config));
    }

    // ServerConfig has no wither for this (nothing in the product needs one): the record's own constructor
    private static ServerConfig onExternalStore(ServerConfig c, ExternalS3Config s3) {
        return new ServerConfig(c.host(), c.port(), c.s3Port(), c.dataDir(), c.publicUrl(), c.s3PublicUrl(), s3.bucket(),
                s3.region(), c.workers(), c.masterToken(), c.catalog(), c.backend(), c.storeSettings(), c.jobLease(),
                c.nodeName(), s3, c.duckDbMemory(), c.shutdownGrace(), c.maxUploadBytes(), c.metricsToken());
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

    public GranaryServer server() {
        return server;
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
