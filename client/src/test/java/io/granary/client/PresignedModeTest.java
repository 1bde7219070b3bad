package io.granary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.EmbeddedGranary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client against a Granary whose object store mints no credentials: presigned PUT and GET only. */
class PresignedModeTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static EmbeddedGranary granary = EmbeddedGranary.withPresignedStore();
    static StorageClient client;

    @BeforeAll
    static void start() {
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @Test
    void prepareAnswersWithAPutUrlAndNoCredentials() throws IOException {
        Path csv = Files.writeString(tmp.resolve("shape.csv"), "a\n1\n");
        long id = client.uploadFile(csv, FileUploadOptions.defaults());

        JsonNode detail = client.getFile(id, true);
        assertThat(detail.has("credentials")).isFalse();
        assertThat(detail.has("s3Path")).isFalse();
        assertThat(detail.path("url").asText()).contains("X-Amz-Signature=");
        assertThat(detail.path("sizeBytes").asLong()).isEqualTo(4);
    }

    @Test
    void aFileGoesUpWithOnePlainPutAndComesBackWithTheGetUrl() throws IOException {
        Path csv = Files.writeString(tmp.resolve("data.csv"), "id,name\n1,granary\n2,presigned\n");
        long id = client.uploadFile(csv, FileUploadOptions.defaults().tag("presigned"));

        Path back = tmp.resolve("data-back.csv");
        client.downloadFile(id, back);
        assertThat(back).hasSameBinaryContentAs(csv);
        assertThat(client.getFile(id, false).path("tags").get(0).asText()).isEqualTo("presigned");
    }

    @Test
    void aFileAboveTheMultipartThresholdStillGoesUpInOnePut() throws IOException {
        Path big = tmp.resolve("big.bin");
        byte[] chunk = new byte[1024 * 1024];
        new Random(7).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 34; i++) {
                out.write(chunk);
            }
        }
        long id = client.uploadFile(big, FileUploadOptions.defaults());
        Path back = tmp.resolve("big-back.bin");
        client.downloadFile(id, back, DownloadOptions.defaults().parallelism(4));
        assertThat(back).hasSameBinaryContentAs(big);
    }

    @Test
    void compressedUploadsAreGzippedBeforeThePut() throws IOException {
        Path csv = Files.writeString(tmp.resolve("zip.csv"), "x\n".repeat(1000));
        long id = client.uploadFile(csv, FileUploadOptions.defaults().compress(true));
        assertThat(client.getFile(id, false).path("name").asText()).isEqualTo("zip.csv.gz");

        Path raw = tmp.resolve("zip-raw.gz");
        client.downloadFile(id, raw, DownloadOptions.defaults().decompress(false));
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(raw))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("x\n".repeat(1000));
        }
    }

    @Test
    void slicedUploadsAreRefusedByTheServerAndLeaveNothingBehind() throws IOException {
        Path csv = Files.writeString(tmp.resolve("sliced.csv"), "a,b\n1,2\n");
        int before = client.listFiles(null, 1000, 0).size();

        StorageApiException e = catchThrowableOfType(StorageApiException.class,
                () -> client.uploadFile(csv, FileUploadOptions.defaults().sliced(true)));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("storage.files.validation");
        assertThat(e.getMessage()).contains("presigned URLs only");
        assertThat(client.listFiles(null, 1000, 0).size()).isEqualTo(before);
    }

    @Test
    void aSlicedFileCannotBeDownloadedWithoutCredentialsAndTheClientSaysWhy() throws IOException {
        // a sliced file the server wrote itself: a table export
        client.createBucket("presigned-export", "in", null);
        String tableId = client.createTable("in.c-presigned-export", "t", Files.writeString(tmp.resolve("t.csv"), "a\n1\n"),
                TableCreateOptions.defaults());
        long sliced = client.exportTableAsync(tableId, TableExportOptions.defaults()).path("results").path("file")
                .path("id").asLong();
        assertThat(client.getFile(sliced, false).path("isSliced").asBoolean()).isTrue();

        IllegalStateException e = catchThrowableOfType(IllegalStateException.class,
                () -> client.downloadFile(sliced, tmp.resolve("never.csv")));
        assertThat(e.getMessage()).contains("is sliced").contains("presigned URLs only");
        assertThat(tmp.resolve("never.csv")).doesNotExist();
    }
}
