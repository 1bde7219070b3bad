package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The web console uploads and downloads straight from the browser: only its own origin may, and only that. */
class CorsTest {

    static final String CONSOLE = "http://localhost:18080";

    @TempDir
    static Path dir;
    @TempDir
    static Path plainDir;
    static EmbeddedFixture withCors;
    static EmbeddedFixture without;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        withCors = new EmbeddedFixture(dir, null, List.of(CONSOLE + "/"));
        without = new EmbeddedFixture(plainDir);
    }

    @AfterAll
    static void stop() {
        withCors.close();
        without.close();
    }

    @Test
    void thePreflightOfAnUploadFromTheConsoleIsAllowed() throws Exception {
        HttpResponse<String> r = preflight(withCors, CONSOLE, "PUT", "content-type");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(CONSOLE);
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, HEAD, PUT");
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type");
        assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void thePreflightOfAMintedKeysPresignedUploadIsAnsweredOnlyForItsOwnKey() throws Exception {
        IssuedCredentials upload = withCors.storage.credentialIssuer().issue("exp-1/mine.csv", false, Access.UPLOAD,
                Duration.ofMinutes(5));
        URI mine = presignPut(upload, "exp-1/mine.csv");
        URI other = presignPut(upload, "exp-1/other.csv");

        HttpResponse<String> allowed = preflight(mine, CONSOLE, "PUT", null);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(CONSOLE);
        HttpResponse<String> refused = preflight(other, CONSOLE, "PUT", null);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight(mine, "http://evil.example", "PUT", null).statusCode()).isEqualTo(403);

        HttpResponse<String> put = http.send(HttpRequest.newBuilder(mine).header("Origin", CONSOLE)
                .PUT(HttpRequest.BodyPublishers.ofString("a\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.headers().firstValue("Access-Control-Allow-Origin")).hasValue(CONSOLE);
        assertThat(put.headers().firstValue("ETag")).isPresent();
    }

    private static URI presignPut(IssuedCredentials c, String key) throws Exception {
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(withCors.endpoint()).region(Region.US_EAST_1)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(),
                        c.secretAccessKey(), c.sessionToken())))
                .build()) {
            return presigner.presignPutObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(r -> r.bucket(EmbeddedFixture.BUCKET).key(key))).url().toURI();
        }
    }

    @Test
    void otherOriginsMethodsAndHeadersAreRefused() throws Exception {
        for (HttpResponse<String> refused : List.of(
                preflight(withCors, "http://evil.example", "PUT", "content-type"),
                preflight(withCors, "http://localhost:18081", "PUT", null),
                preflight(withCors, "http://localhost:180800", "PUT", null),
                preflight(withCors, CONSOLE, "DELETE", null),
                preflight(withCors, CONSOLE, "POST", null),
                preflight(withCors, CONSOLE, "PUT", "authorization"),
                preflight(without, CONSOLE, "PUT", "content-type"))) {
            assertThat(refused.statusCode()).isIn(400, 403);
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void aPresignedDownloadNamesOnlyTheConsoleOrigin() throws Exception {
        for (EmbeddedFixture f : List.of(withCors, without)) {
            f.storage.objectStore().put("exp-1/cors.csv",
                    new ByteArrayInputStream("a\n".getBytes(StandardCharsets.UTF_8)), -1);
        }
        URI url = withCors.storage.objectStore().presignGet("exp-1/cors.csv", Duration.ofMinutes(5));
        HttpResponse<String> fromConsole = get(url, CONSOLE);
        assertThat(fromConsole.statusCode()).isEqualTo(200);
        assertThat(fromConsole.body()).isEqualTo("a\n");
        assertThat(fromConsole.headers().firstValue("Access-Control-Allow-Origin")).hasValue(CONSOLE);
        assertThat(fromConsole.headers().firstValue("Access-Control-Expose-Headers")).hasValue("ETag");

        assertThat(get(url, "http://evil.example").headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        URI plain = without.storage.objectStore().presignGet("exp-1/cors.csv", Duration.ofMinutes(5));
        assertThat(get(plain, CONSOLE).headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aRefusedRequestStillNamesTheOriginSoTheConsoleCanReadTheError() throws Exception {
        URI unsigned = withCors.endpoint().resolve("/granary/exp-1/cors.csv");
        HttpResponse<String> r = get(unsigned, CONSOLE);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(CONSOLE);
        assertThat(r.body()).contains("AccessDenied");
    }

    private static HttpResponse<String> preflight(EmbeddedFixture f, String origin, String method, String headers)
            throws Exception {
        return preflight(f.endpoint().resolve("/granary/exp-1/upload.csv"), origin, method, headers);
    }

    private static HttpResponse<String> preflight(URI url, String origin, String method, String headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method);
        if (headers != null) {
            b.header("Access-Control-Request-Headers", headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI url, String origin) throws Exception {
        return http.send(HttpRequest.newBuilder(url).header("Origin", origin).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
