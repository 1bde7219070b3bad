package io.granary.objectstore;

import io.granary.core.model.IssuedCredentials;
import io.granary.sqlite.SqliteCatalog;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real embedded endpoint on a free port with a SQLite catalog, and S3 clients configured as Keboola's.
 *
 * <p>Not the platform's test harness ({@code EmbeddedGranary}, in the server's test-jar): this module is built
 * before the server, so its tests cannot depend on it (Maven refuses a cycle even in test scope). Nor do they need
 * it: they test the adapter under the server, which is the endpoint and a catalog; tests of a whole Granary on an
 * external store live downstream (the client's {@code PresignedModeTest}).
 */
final class EmbeddedFixture implements AutoCloseable {

    static final String ACCESS_KEY = "granary-system";
    static final String SECRET = "system-secret-for-tests-0123456789";
    static final String BUCKET = "granary";

    final Path root;
    final SqliteCatalog catalog;
    final EmbeddedObjectStorage storage;

    EmbeddedFixture(Path dir) {
        this(dir, null);
    }

    EmbeddedFixture(Path dir, String virtualHost) {
        this(dir, virtualHost, java.util.List.of());
    }

    EmbeddedFixture(Path dir, String virtualHost, java.util.List<String> corsOrigins) {
        root = dir.resolve("objects");
        catalog = new SqliteCatalog(dir.resolve("catalog.sqlite"));
        storage = EmbeddedObjectStorage.start(new EmbeddedS3.Config(root, BUCKET, "127.0.0.1", 0, virtualHost, ACCESS_KEY,
                SECRET, corsOrigins), catalog);
    }

    URI endpoint() {
        return storage.s3().endpoint();
    }

    /** How a node reaches this endpoint as an external store in {@code mode}, with the system key. */
    ExternalS3Config external(ExternalS3Config.CredentialsMode mode) {
        return new ExternalS3Config(endpoint(), null, BUCKET, ACCESS_KEY, SECRET, true, mode, null, null);
    }

    /** A client with default SDK settings (flexible checksums included), as a Keboola client builds it. */
    S3Client client(IssuedCredentials issued) {
        return client(AwsSessionCredentials.create(issued.accessKeyId(), issued.secretAccessKey(),
                issued.sessionToken()));
    }

    /** The contract's client signing with issued credentials. */
    SdkStoreClient storeClient(IssuedCredentials issued) {
        return new SdkStoreClient(client(issued), BUCKET);
    }

    S3Client systemClient() {
        return client(AwsBasicCredentials.create(ACCESS_KEY, SECRET));
    }

    S3Client client(AwsCredentials credentials) {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                // Apache sends Expect: 100-continue like the AWS CLI and boto3, so a refused upload is a clean 403
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    @Override
    public void close() {
        try {
            storage.close();
        } finally {
            catalog.close();
        }
    }
}
