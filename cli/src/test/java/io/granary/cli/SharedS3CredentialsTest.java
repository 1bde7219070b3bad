package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A real {@code granary s3} process and a node process in {@code --s3-credentials granary} mode on one
 * PostgreSQL catalog: what the node mints is refused by the shared endpoint without its session token or
 * with another, on a traversing key, and once the node has deleted the file (the endpoint learns it from
 * the catalog it checks on every request). The client side is what a Keboola client does: the Storage API
 * over HTTP, then the AWS SDK straight to the endpoint.
 */
class SharedS3CredentialsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void theSharedEndpointHonoursTokensKeysAndDeletions() throws Exception {
        PostgresConfig pg = TestPostgres.newDatabase();
        try (S3Process s3 = S3Process.start(tmp.resolve("s3").resolve("data"), pg);
                ServerProcess node = ServerProcess.start(Files.createDirectories(tmp.resolve("node").resolve("data")), 1,
                        "--catalog", "postgres", "--postgres-url", pg.url(), "--postgres-user", pg.user(),
                        "--s3-endpoint", s3.endpoint, "--s3-bucket", "granary", "--s3-access-key", s3.accessKey,
                        "--s3-secret-key", s3.secretKey, "--s3-credentials", "granary");
                S3Client system = client(s3, AwsBasicCredentials.create(s3.accessKey, s3.secretKey))) {
            JsonNode file = node.postJson("/v2/storage/files/prepare", Map.of("name", "shared.csv"));
            JsonNode other = node.postJson("/v2/storage/files/prepare", Map.of("name", "other.csv"));
            String key = file.at("/uploadParams/key").asText();
            JsonNode c = file.at("/uploadParams/credentials");
            String id = c.get("AccessKeyId").asText();
            String secret = c.get("SecretAccessKey").asText();
            String token = c.get("SessionToken").asText();

            try (S3Client noToken = client(s3, AwsBasicCredentials.create(id, secret));
                    S3Client altered = client(s3, AwsSessionCredentials.create(id, secret, token + "x"));
                    S3Client othersToken = client(s3, AwsSessionCredentials.create(id, secret,
                            other.at("/uploadParams/credentials/SessionToken").asText()))) {
                assertError(() -> noToken.putObject(b -> b.bucket("granary").key(key), RequestBody.fromString("x")),
                        403, "InvalidAccessKeyId");
                assertError(() -> altered.putObject(b -> b.bucket("granary").key(key), RequestBody.fromString("x")),
                        400, "InvalidToken");
                assertError(() -> othersToken.putObject(b -> b.bucket("granary").key(key), RequestBody.fromString("x")),
                        400, "InvalidToken");
            }
            assertAbsent(system, key);

            try (S3Client uploader = client(s3, AwsSessionCredentials.create(id, secret, token))) {
                assertError(() -> uploader.putObject(b -> b.bucket("granary").key(key + "/../x.csv"),
                        RequestBody.fromString("x")), 400, "InvalidArgument");
                HttpResponse<String> encoded = HTTP.send(HttpRequest.newBuilder(URI.create(s3.endpoint + "/granary/" + key
                        + "%2F..%2Fx.csv")).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(encoded.statusCode()).isEqualTo(400);
                assertThat(encoded.body()).contains("<Code>InvalidArgument</Code>");

                uploader.putObject(b -> b.bucket("granary").key(key), RequestBody.fromString("a,b\n1,2\n"));
                JsonNode detail = node.getJson("/v2/storage/files/" + file.get("id").asText() + "?federationToken=1");
                URI url = URI.create(detail.get("url").asText());
                JsonNode d = detail.get("credentials");
                try (S3Client reader = client(s3, AwsSessionCredentials.create(d.get("AccessKeyId").asText(),
                        d.get("SecretAccessKey").asText(), d.get("SessionToken").asText()))) {
                    assertThat(reader.getObjectAsBytes(b -> b.bucket("granary").key(key)).asUtf8String())
                            .isEqualTo("a,b\n1,2\n");
                    assertThat(HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString())
                            .body()).isEqualTo("a,b\n1,2\n");

                    assertThat(node.delete("/v2/storage/files/" + file.get("id").asText()).statusCode()).isEqualTo(204);

                    assertError(() -> uploader.putObject(b -> b.bucket("granary").key(key), RequestBody.fromString("again")),
                            403, "AccessDenied");
                    assertAbsent(system, key);
                    assertError(() -> reader.getObjectAsBytes(b -> b.bucket("granary").key(key)), 403, "AccessDenied");
                    HttpResponse<String> viaUrl = HTTP.send(HttpRequest.newBuilder(url).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(viaUrl.statusCode()).isEqualTo(403);
                    assertThat(viaUrl.body()).contains("<Code>AccessDenied</Code>");
                }
            }
        }
    }

    private static void assertAbsent(S3Client system, String key) {
        assertThat(system.listObjectsV2(b -> b.bucket("granary").prefix(key)).contents()).isEmpty();
    }

    private static void assertError(Runnable request, int status, String code) {
        S3Exception e = catchThrowableOfType(S3Exception.class, request::run);
        assertThat(e).as("request should have been refused").isNotNull();
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    }

    private static S3Client client(S3Process s3, AwsCredentials credentials) {
        return S3Client.builder().endpointOverride(URI.create(s3.endpoint)).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                .httpClientBuilder(ApacheHttpClient.builder()).build();
    }
}
