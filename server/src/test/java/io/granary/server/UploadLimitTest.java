package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer routes refuse a file part over the upload limit with 413 and Keboola's error JSON, and store
 * nothing: no file record, no object, no spooled copy, the table as before. A part at the limit goes through.
 */
class UploadLimitTest {

    // over the 1 MiB a part may take in memory, so the refused part was being spooled to disk
    private static final long LIMIT = 2 << 20;
    private static final String TOO_LARGE = "The uploaded file is larger than the upload limit of 2 MiB: upload"
            + " larger files to File Storage (POST /v2/storage/files/prepare, then to S3) and import them from there.";

    @RegisterExtension
    static EmbeddedGranary granary = EmbeddedGranary.configured(c -> c.withMaxUploadBytes(LIMIT));

    @TempDir
    static Path tmp;

    static Path atLimit;
    static Path overLimit;

    @BeforeAll
    static void files() throws IOException {
        atLimit = csv("at-limit.csv", LIMIT);
        overLimit = csv("over-limit.csv", LIMIT + 1);
        Api api = granary.master();
        assertThat(api.postJson("/v2/storage/buckets", Map.of("name", "limits", "stage", "in")).status()).isEqualTo(201);
        Path small = Files.writeString(tmp.resolve("small.csv"), "id,val\n1,first\n");
        long file = api.upload("/upload-file", small, "small.csv", Map.of()).json().get("id").asLong();
        Api.Response created = api.postJson("/v2/storage/buckets/in.c-limits/tables-async",
                Map.of("name", "t", "dataFileId", file));
        JsonNode job = api.get("/v2/storage/jobs/" + created.json().get("id").asLong() + "?wait=30").json();
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
    }

    /** A CSV of exactly {@code bytes} bytes: a header and rows of one long value. */
    private static Path csv(String name, long bytes) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] header = "id,val\n".getBytes(StandardCharsets.US_ASCII);
            out.write(header);
            long left = bytes - header.length;
            int row = 0;
            while (left > 0) {
                String prefix = (row++) + ",";
                int value = (int) Math.min(1000, left - prefix.length() - 1);
                String line = value <= 0 ? "\n".repeat((int) left) : prefix + "x".repeat(value) + "\n";
                out.write(line.getBytes(StandardCharsets.US_ASCII));
                left -= line.length();
            }
        }
        assertThat(Files.size(file)).isEqualTo(bytes);
        return file;
    }

    @Test
    void uploadFileOverTheLimitIs413AndStoresNothing() throws IOException {
        Api api = granary.master();
        int filesBefore = api.get("/v2/storage/files?limit=100").json().size();
        Api.Response r = api.upload("/upload-file", overLimit, "over-limit.csv", Map.of("tags[]", "too-big"));
        assertTooLarge(r);
        assertThat(api.get("/v2/storage/files?limit=100").json().size()).isEqualTo(filesBefore);
        assertThat(api.get("/v2/storage/files?tags[]=too-big").json().size()).isZero();
        assertNoSpooledParts();

        Api.Response fine = api.upload("/upload-file", atLimit, "at-limit.csv", Map.of("tags[]", "at-limit"));
        assertThat(fine.status()).as(fine.body()).isEqualTo(200);
        assertThat(fine.json().get("sizeBytes").asLong()).isEqualTo(LIMIT);
    }

    @Test
    void writeTableOverTheLimitIs413AndLeavesTheTableAsItWas() throws IOException {
        Api api = granary.master();
        int filesBefore = api.get("/v2/storage/files?limit=100").json().size();
        int jobsBefore = api.get("/v2/storage/jobs?limit=100").json().size();
        for (String route : List.of("/write-table", "/v2/storage/write-table")) {
            Api.Response r = api.upload(route, overLimit, "over-limit.csv", Map.of("tableId", "in.c-limits.t"));
            assertTooLarge(r);
        }
        assertThat(api.get("/v2/storage/files?limit=100").json().size()).isEqualTo(filesBefore);
        assertThat(api.get("/v2/storage/jobs?limit=100").json().size()).isEqualTo(jobsBefore);
        assertThat(api.get("/v2/storage/tables/in.c-limits.t/data-preview").body())
                .isEqualTo("\"id\",\"val\"\n\"1\",\"first\"\n");
        assertNoSpooledParts();
    }

    @Test
    void aFilePartOverTheLimitOnAnyMultipartRouteIs413() throws IOException {
        // tables-async and import-async read multipart form fields too: a file part there is held to the same limit
        Api.Response r = granary.master().upload("/v2/storage/buckets/in.c-limits/tables-async", overLimit,
                "over-limit.csv", Map.of("name", "never"));
        assertTooLarge(r);
        assertThat(granary.master().get("/v2/storage/tables/in.c-limits.never").status()).isEqualTo(404);
        assertNoSpooledParts();
    }

    private static void assertTooLarge(Api.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        // the body was not read to its end: a client must not send its next request on this connection
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.json().get("error").asText()).isEqualTo(TOO_LARGE);
        assertThat(r.json().get("code").asText()).isEqualTo("storage.validation");
        assertThat(r.json().get("status").asText()).isEqualTo("error");
        assertThat(r.json().get("exceptionId").asText()).startsWith("exception-");
    }

    /** Multipart parts are spooled under the data dir's tmp: a refused upload leaves none behind. */
    private static void assertNoSpooledParts() throws IOException {
        Path spool = granary.dataDir().resolve("tmp");
        try (Stream<Path> files = Files.list(spool)) {
            assertThat(files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().startsWith("MultiPart")))
                    .isEmpty();
        }
    }
}
