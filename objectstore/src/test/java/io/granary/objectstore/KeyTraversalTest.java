package io.granary.objectstore;

import static io.granary.objectstore.SessionTokenTest.MASTER;
import static io.granary.objectstore.SessionTokenTest.assertError;
import static io.granary.objectstore.SessionTokenTest.assertErrorBody;
import static io.granary.objectstore.SessionTokenTest.get;
import static io.granary.objectstore.SessionTokenTest.prepare;
import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.storage.FileService;
import io.granary.core.storage.FileService.FileView;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Keys with {@code .} or {@code ..} segments, literal or percent-encoded, are refused with 400
 * InvalidArgument (never a 500) whoever signs the request, and nothing on disk changes: on a filesystem
 * store they would name another object than the one a credential covers.
 */
class KeyTraversalTest {

    private static final String MESSAGE = "Object keys with '.' or '..' path segments are not supported by this store.";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static EmbeddedFixture fixture;
    static FileService files;
    static S3Client system;
    static FileView sliced;
    static FileView neighbour;

    @BeforeAll
    static void start() {
        fixture = new EmbeddedFixture(dir);
        files = new FileService(fixture.catalog, fixture.storage.objectStore(), fixture.storage.credentialIssuer(),
                Clock.systemUTC(), 1);
        system = fixture.systemClient();
        sliced = prepare(files, "sliced.csv", true);
        neighbour = prepare(files, "neighbour.csv", false);
        system.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(neighbour.file().key()),
                RequestBody.fromString("neighbour"));
    }

    @AfterAll
    static void stop() {
        system.close();
        fixture.close();
    }

    /** Keys that climb out of the sliced file's prefix to its neighbour (same directory) or further up. */
    private static List<String> escapes() {
        String prefix = sliced.file().key();
        String name = neighbour.file().key().substring(neighbour.file().key().lastIndexOf('/') + 1);
        return List.of(prefix + "/../" + name, prefix + "/../../../../../../../x.csv", prefix + "/./part0",
                prefix + "/..", prefix + "/.");
    }

    @Test
    void mintedCredentialsCannotClimbOutOfTheirPrefix() throws Exception {
        Map<Path, String> before = tree();
        try (S3Client client = fixture.client(sliced.credentials())) {
            for (String key : escapes()) {
                assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key),
                        RequestBody.fromString("evil")), 400, "InvalidArgument", MESSAGE);
                assertError(() -> client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)),
                        400, "InvalidArgument", MESSAGE);
            }
            // a name with dots in it is not a dot segment
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(sliced.file().key() + "..part..0"),
                    RequestBody.fromString("fine"));
        }
        FileView download = files.get(MASTER, neighbour.file().id(), true);
        try (S3Client reader = fixture.client(download.credentials())) {
            assertError(() -> reader.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET)
                    .key(neighbour.file().key() + "/../" + sliced.file().key().substring(
                            sliced.file().key().lastIndexOf('/') + 1) + "..part..0")), 400, "InvalidArgument", MESSAGE);
        }
        Map<Path, String> after = tree();
        after.remove(fixture.root.resolve(EmbeddedFixture.BUCKET).resolve(sliced.file().key() + "..part..0"));
        assertThat(after).isEqualTo(before);
        system.deleteObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(sliced.file().key() + "..part..0"));
    }

    @Test
    void theSystemKeyIsRefusedDotSegmentsTooInsteadOfAServerError() throws Exception {
        Map<Path, String> before = tree();
        String neighbourKey = neighbour.file().key();
        for (String key : Stream.concat(escapes().stream(), Stream.of("a/../" + neighbourKey, "./" + neighbourKey))
                .toList()) {
            assertError(() -> system.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key),
                    RequestBody.fromString("evil")), 400, "InvalidArgument", MESSAGE);
            assertError(() -> system.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)), 400,
                    "InvalidArgument", MESSAGE);
            assertError(() -> system.deleteObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)), 400,
                    "InvalidArgument", MESSAGE);
        }
        assertError(() -> system.copyObject(b -> b.sourceBucket(EmbeddedFixture.BUCKET).sourceKey("a/../" + neighbourKey)
                .destinationBucket(EmbeddedFixture.BUCKET).destinationKey("exp-15/1/files/copy.csv")), 400,
                "InvalidArgument", MESSAGE);
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void encodedTraversalIsRefusedBeforeAnyoneIsAsked() throws Exception {
        Map<Path, String> before = tree();
        String prefix = sliced.file().key();
        for (String raw : List.of(prefix + "%2F..%2Fx.csv", prefix + "%2f..%2f..%2fx.csv", prefix + "/%2e%2e/x.csv",
                prefix + "/%2E%2E%2Fx.csv", prefix + "%2F.%2Fx.csv", "%2E%2E%2F%2E%2E%2Fescape.csv")) {
            URI uri = URI.create(fixture.endpoint() + "/" + EmbeddedFixture.BUCKET + "/" + raw);
            for (String method : List.of("GET", "PUT", "DELETE")) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri)
                        .method(method, HttpRequest.BodyPublishers.ofString("evil")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertErrorBody(r, 400, "InvalidArgument");
                assertThat(r.body()).contains(MESSAGE);
            }
            HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(uri).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(400);
        }
        // java.net.URI refuses to build a malformed escape: send it over a plain socket
        String malformed = rawGet("/" + EmbeddedFixture.BUCKET + "/" + prefix + "%zz%2F..%2Fx.csv");
        assertThat(malformed).startsWith("HTTP/1.1 400 ").contains("<Code>InvalidURI</Code>");
        for (String query : List.of("?X-Amz-Credential=%zz", "?X-Amz-Security-Token=%zz&AWSAccessKeyId=x", "?%zz=1")) {
            assertThat(rawGet("/" + EmbeddedFixture.BUCKET + "/" + prefix + "x.csv" + query)).startsWith("HTTP/1.1 4");
        }
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void aPresignedUrlForATraversingKeyIsRefused() throws Exception {
        URI url = fixture.storage.objectStore().presignGet("a/../" + neighbour.file().key(), Duration.ofMinutes(5));
        assertErrorBody(get(url), 400, "InvalidArgument");
    }

    private static String rawGet(String path) throws IOException {
        URI endpoint = fixture.endpoint();
        try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + endpoint.getHost() + ":"
                    + endpoint.getPort() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every file under the data directory's objects with its content, to show nothing changed. */
    private static Map<Path, String> tree() throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("catalog"))
                    .toList()) {
                files.put(p, Files.readString(p));
            }
        }
        return files;
    }
}
