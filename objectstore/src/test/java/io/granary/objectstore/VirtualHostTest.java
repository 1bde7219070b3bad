package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

class VirtualHostTest {

    @TempDir
    Path dir;

    @Test
    void servesPathStyleAndVirtualHostStyleRequestsWhenAVirtualHostIsSet() throws Exception {
        try (EmbeddedFixture fixture = new EmbeddedFixture(dir, "localhost")) {
            int port = fixture.storage.s3().port();
            assertThat(fixture.endpoint()).isEqualTo(URI.create("http://localhost:" + port));
            var store = fixture.storage.objectStore();
            store.put("exp-1/v.csv", new ByteArrayInputStream("virtual".getBytes(StandardCharsets.UTF_8)), -1);
            assertThat(store.list("exp-1/")).hasSize(1);

            URI url;
            try (S3Presigner presigner = S3Presigner.builder()
                    .endpointOverride(fixture.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(EmbeddedFixture.ACCESS_KEY, EmbeddedFixture.SECRET)))
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(false).build())
                    .build()) {
                url = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(g -> g.bucket("granary").key("exp-1/v.csv"))).url().toURI();
            }
            assertThat(url.getHost()).isEqualTo("granary.localhost");

            // *.localhost does not resolve everywhere, so speak HTTP to the port with the Host header the URL names
            String response = rawGet(port, url.getRawPath() + "?" + url.getRawQuery(), "granary.localhost:" + port);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("virtual");
        }
    }

    private static String rawGet(int port, String target, String host) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
