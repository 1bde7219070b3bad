package io.granary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.EmbeddedGranary;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real Granary server: real HTTP, real S3, real DuckDB. */
class StorageClientTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();
    static StorageClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    @Test
    void verifiesTokenAndManagesBuckets() {
        JsonNode token = client.verifyToken();
        assertThat(token.path("isMasterToken").asBoolean()).isTrue();
        assertThat(client.s3Endpoint()).isEqualTo(URI.create(granary.s3Url()));

        JsonNode bucket = client.createBucket("client-buckets", "in", "made by the client test");
        assertThat(bucket.path("id").asText()).isEqualTo("in.c-client-buckets");
        assertThat(client.listBuckets()).anySatisfy(b -> assertThat(b.path("id").asText()).isEqualTo("in.c-client-buckets"));
        assertThat(client.getBucket("in.c-client-buckets").path("description").asText()).isEqualTo("made by the client test");

        assertThatThrownBy(() -> client.createBucket("client-buckets", "in", null))
                .isInstanceOfSatisfying(StorageApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("storage.buckets.alreadyExists");
                    assertThat(e.exceptionId()).isNotBlank();
                });
        client.dropBucket("in.c-client-buckets", false);
        assertThatThrownBy(() -> client.getBucket("in.c-client-buckets"))
                .isInstanceOfSatisfying(StorageApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("storage.buckets.notFound");
                });
        assertThat(client.listJobs(10, 0)).anySatisfy(j -> assertThat(j.path("operationName").asText()).isEqualTo("bucketDelete"));
    }

    @Test
    void wrongTokenIsA401NotRetried() {
        try (StorageClient bad = StorageClient.create(granary.url(), "nope")) {
            assertThatThrownBy(bad::verifyToken).isInstanceOfSatisfying(StorageApiException.class, e -> {
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.code()).isEqualTo("storage.tokenInvalid");
            });
        }
    }

    @Test
    void connectionFailuresAreRetriedThenReported() {
        try (StorageClient dead = StorageClient.builder("http://127.0.0.1:9", "t").maxAttempts(3).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(dead::verifyToken).isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining("after 3 attempts");
            // two backoffs: 250-312 ms then 500-625 ms
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(750);
        }
    }

    @Test
    void environmentFallsBackToKbcUrlAndToken() {
        try (StorageClient c = StorageClient.fromEnvironment(Map.of("KBC_URL", granary.url() + "/",
                "KBC_TOKEN", EmbeddedGranary.MASTER_TOKEN))) {
            assertThat(c.host()).isEqualTo(granary.url());
            assertThat(c.verifyToken().path("isMasterToken").asBoolean()).isTrue();
        }
        assertThatThrownBy(() -> StorageClient.fromEnvironment(Map.of("KBC_URL", "x")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void uploadsSmallFileAndReadsItBack() throws IOException {
        Path src = Files.writeString(tmp.resolve("hello.txt"), "hello, granary\n");
        long id = client.uploadFile(src, FileUploadOptions.defaults().tag("client-small"));
        JsonNode file = client.getFile(id, false);
        assertThat(file.path("name").asText()).isEqualTo("hello.txt");
        assertThat(file.path("isSliced").asBoolean()).isFalse();
        assertThat(file.has("credentials")).isFalse();
        assertThat(client.listFiles(List.of("client-small"), 10, 0)).hasSize(1);

        Path back = tmp.resolve("sub/back.txt");
        client.downloadFile(id, back);
        assertThat(Files.readString(back)).isEqualTo("hello, granary\n");

        // compressed upload: stored gzipped, named .gz, decompressed on request
        long gz = client.uploadFile(src, FileUploadOptions.defaults().compress(true));
        assertThat(client.getFile(gz, false).path("name").asText()).isEqualTo("hello.txt.gz");
        client.downloadFile(gz, back, DownloadOptions.defaults().decompress(true));
        assertThat(Files.readString(back)).isEqualTo("hello, granary\n");

        client.deleteFile(id);
        assertThatThrownBy(() -> client.getFile(id, true)).isInstanceOfSatisfying(StorageApiException.class,
                e -> assertThat(e.code()).isEqualTo("storage.files.notFound"));
    }

    @Test
    void largeFileGoesMultipartAndComesBackInRanges() throws IOException {
        Path src = bigFile();
        try (StorageClient parts = StorageClient.builder(granary.url(), EmbeddedGranary.MASTER_TOKEN)
                .multipartOnThisMachine().build()) {
            long id = uploadWithProgress(parts, src);
            assertThat(storedETag(parts, id)).as("a multipart ETag").endsWith("-3\"");
            assertDownloadsBack(parts, id, src);
        }
    }

    @Test
    void largeFileGoesInOnePutToAnEndpointOnThisMachine() throws IOException {
        Path src = bigFile();
        long id = uploadWithProgress(client, src);
        assertThat(storedETag(client, id)).as("a single PUT's ETag is the MD5").doesNotContain("-");
        assertDownloadsBack(client, id, src);
    }

    private Path bigFile() throws IOException {
        Path src = tmp.resolve("big-" + System.nanoTime() + ".bin");
        long size = 40L * 1024 * 1024 + 12345; // > multipart threshold, not a multiple of the part size
        Random random = new Random(7);
        byte[] block = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(src)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        return src;
    }

    private static long uploadWithProgress(StorageClient c, Path src) throws IOException {
        long size = Files.size(src);
        AtomicLong lastUp = new AtomicLong();
        long id = c.uploadFile(src, FileUploadOptions.defaults().progress((d, t) -> {
            assertThat(t).isEqualTo(size);
            assertThat(d).isBetween(0L, size);
            lastUp.accumulateAndGet(d, Math::max);
        }));
        assertThat(lastUp.get()).isEqualTo(size);
        return id;
    }

    private static String storedETag(StorageClient c, long id) {
        JsonNode file = c.getFile(id, true);
        JsonNode creds = file.path("credentials");
        try (software.amazon.awssdk.services.s3.S3Client s3 = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(java.net.URI.create(granary.s3Url())).forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(
                                creds.path("AccessKeyId").asText(), creds.path("SecretAccessKey").asText(),
                                creds.path("SessionToken").asText()))).build()) {
            return s3.headObject(b -> b.bucket(file.path("s3Path").path("bucket").asText())
                    .key(file.path("s3Path").path("key").asText())).eTag();
        }
    }

    private void assertDownloadsBack(StorageClient c, long id, Path src) throws IOException {
        Path back = tmp.resolve("big.back");
        AtomicLong lastDown = new AtomicLong();
        c.downloadFile(id, back, DownloadOptions.defaults().progress((d, t) -> lastDown.accumulateAndGet(d, Math::max)));
        assertThat(lastDown.get()).isEqualTo(Files.size(src));
        assertThat(Files.mismatch(src, back)).isEqualTo(-1L);
        Files.delete(back);
    }

    @Test
    void downloadOfASlicedFileMergesSlicesInManifestOrder() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            body.append(i).append(",\"row ").append(i).append("\nsecond line\"\n");
        }
        Path csv = Files.writeString(tmp.resolve("sliced.csv"), "id,text\n" + body);
        for (boolean gzip : new boolean[] {false, true}) {
            long id = client.uploadFile(csv, FileUploadOptions.defaults().sliced(true).sliceSize(1000).compress(gzip)
                    .parallelism(8));
            JsonNode file = client.getFile(id, true);
            assertThat(file.path("isSliced").asBoolean()).isTrue();
            Path merged = tmp.resolve("merged-" + gzip + ".csv");
            client.downloadFile(id, merged, DownloadOptions.defaults().decompress(true).parallelism(8));
            assertThat(Files.readString(merged)).isEqualTo(body.toString());
        }
    }

    @Test
    void existingSlicesUploadAsOneSlicedFileAndLoadInManifestOrder() throws IOException {
        // slices as another tool leaves them: no header, one of them gzipped, a quoted newline inside
        Path dir = Files.createDirectories(tmp.resolve("existing"));
        List<Path> slices = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (int s = 0; s < 5; s++) {
            StringBuilder part = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                part.append(s * 1000 + i).append(",\"slice ").append(s).append("\nline\"\n");
            }
            all.append(part);
            Path slice = dir.resolve("export.csv_" + s);
            if (s == 3) {
                slice = dir.resolve("export.csv_" + s + ".gz");
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(slice))) {
                    out.write(part.toString().getBytes(StandardCharsets.UTF_8));
                }
            } else {
                Files.writeString(slice, part);
            }
            slices.add(slice);
        }
        AtomicLong progress = new AtomicLong();
        long id = client.uploadSlicedFile(slices, FileUploadOptions.defaults().name("existing.csv").parallelism(3)
                .progress((d, t) -> progress.accumulateAndGet(d, Math::max)));
        JsonNode file = client.getFile(id, false);
        assertThat(file.path("isSliced").asBoolean()).isTrue();
        assertThat(file.path("name").asText()).isEqualTo("existing.csv");
        long total = 0;
        for (Path slice : slices) {
            total += Files.size(slice);
        }
        assertThat(progress.get()).isEqualTo(total);
        Path merged = tmp.resolve("existing-merged.csv");
        client.downloadFile(id, merged, DownloadOptions.defaults().decompress(true));
        assertThat(Files.readString(merged)).isEqualTo(all.toString());

        client.createBucket("client-slices", "in", null);
        String tableId = client.createTable("in.c-client-slices", "t",
                Files.writeString(tmp.resolve("header.csv"), "id,text\n"), TableCreateOptions.defaults());
        JsonNode job = client.writeTableAsync(tableId, id, TableImportOptions.defaults().columns(List.of("id", "text")));
        assertThat(job.path("results").path("totalRowsCount").asLong()).isEqualTo(1500);
        client.dropBucket("in.c-client-slices", true);

        // compress gzips the plain slices on the way and keeps the gzipped one as it is
        long compressed = client.uploadSlicedFile(slices, FileUploadOptions.defaults().compress(true));
        assertThat(client.getFile(compressed, false).path("name").asText()).isEqualTo("export.csv_0");
        Path back = tmp.resolve("compressed-merged.csv");
        client.downloadFile(compressed, back, DownloadOptions.defaults().decompress(true));
        assertThat(Files.readString(back)).isEqualTo(all.toString());
    }

    @Test
    void badSliceListsRegisterNoFile() throws IOException {
        Path a = Files.writeString(Files.createDirectories(tmp.resolve("a")).resolve("part.csv"), "1,x\n");
        Path b = Files.writeString(Files.createDirectories(tmp.resolve("b")).resolve("part.csv"), "2,y\n");
        int before = client.listFiles(null, 1000, 0).size();
        assertThatThrownBy(() -> client.uploadSlicedFile(List.of(a, b), FileUploadOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Two slices are named part.csv: each slice is stored under its file name, so the names "
                        + "must differ.");
        assertThatThrownBy(() -> client.uploadSlicedFile(List.of(), FileUploadOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("A sliced file needs at least one slice.");
        assertThatThrownBy(() -> client.uploadSlicedFile(List.of(a, tmp.resolve("missing.csv")), null))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("missing.csv");
        try (StorageClient dead = StorageClient.builder(granary.url(), EmbeddedGranary.MASTER_TOKEN)
                .s3Endpoint(URI.create("http://127.0.0.1:9")).build()) {
            assertThatThrownBy(() -> dead.uploadSlicedFile(List.of(a), FileUploadOptions.defaults().name("dead-slices")))
                    .isInstanceOf(software.amazon.awssdk.core.exception.SdkException.class);
        }
        assertThat(client.listFiles(null, 1000, 0)).hasSize(before);
    }

    @Test
    void failingImportRaisesTheJobsError() throws IOException {
        client.createBucket("client-fail", "in", null);
        String tableId = client.createTable("in.c-client-fail", "t", Files.writeString(tmp.resolve("t.csv"),
                "id,name\n1,a\n"), TableCreateOptions.defaults().primaryKey(List.of("id")));
        assertThat(tableId).isEqualTo("in.c-client-fail.t");
        assertThat(client.getTable(tableId).path("primaryKey").toString()).contains("id");

        Path onlyId = Files.writeString(tmp.resolve("only-id.csv"), "id\n2\n");
        assertThatThrownBy(() -> client.writeTable(tableId, onlyId, TableImportOptions.defaults().incremental(true)))
                .isInstanceOfSatisfying(StorageApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("csvImport.columnsNotMatch");
                    assertThat(e.status()).isZero();
                    assertThat(e.exceptionId()).isNotBlank();
                    assertThat(e.getMessage()).contains("name");
                    assertThat(e.job().path("status").asText()).isEqualTo("error");
                    assertThat(e.job().path("results").path("missingColumns").toString()).contains("name");
                });
        assertThat(client.listTables("in.c-client-fail")).hasSize(1);
        client.dropTable(tableId);
        assertThat(client.listTables("in.c-client-fail")).isEmpty();
        client.dropBucket("in.c-client-fail", true);
    }

    @Test
    void uploadToADeadS3EndpointLeavesNoFile() throws IOException {
        Path src = Files.writeString(tmp.resolve("dead.csv"), "a,b\n1,2\n");
        int before = client.listFiles(null, 1000, 0).size();
        try (StorageClient dead = StorageClient.builder(granary.url(), EmbeddedGranary.MASTER_TOKEN)
                .s3Endpoint(URI.create("http://127.0.0.1:9")).build()) {
            assertThatThrownBy(() -> dead.uploadFile(src, FileUploadOptions.defaults().name("dead-upload")))
                    .isInstanceOf(software.amazon.awssdk.core.exception.SdkException.class);
        }
        assertThat(client.listFiles(null, 1000, 0)).hasSize(before)
                .noneSatisfy(f -> assertThat(f.path("name").asText()).isEqualTo("dead-upload"));
    }

    @Test
    void sourceFailingMidwayRemovesUploadedSlicesAndTheFile() throws IOException {
        // a gzip source cut in half: the first slices upload, then reading fails
        Path gz = tmp.resolve("cut.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("id,v\n".getBytes(StandardCharsets.UTF_8));
            Random r = new Random(1);
            for (int i = 0; i < 200_000; i++) {
                out.write((i + "," + r.nextLong() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Path cut = tmp.resolve("cut-half.csv.gz");
        try (var in = Files.newInputStream(gz); var out = Files.newOutputStream(cut)) {
            out.write(in.readNBytes((int) (Files.size(gz) / 2)));
        }
        int before = client.listFiles(null, 1000, 0).size();
        Set<String> tempBefore = tempEntries();
        assertThatThrownBy(() -> client.uploadFile(cut, FileUploadOptions.defaults().name("cut-upload").sliced(true)
                .sliceSize(100_000))).isInstanceOf(IOException.class);
        assertThat(client.listFiles(null, 1000, 0)).hasSize(before)
                .noneSatisfy(f -> assertThat(f.path("name").asText()).isEqualTo("cut-upload"));
        // only what this upload made: other builds on the machine come and go in the same temp directory
        Set<String> left = tempEntries();
        left.removeAll(tempBefore);
        assertThat(left).isEmpty();
    }

    private static Set<String> tempEntries() throws IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith("granary-slices-") || name.startsWith("granary-upload-"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    @Test
    void unreadableSourceNeverRegistersAFile() throws IOException {
        int before = client.listFiles(null, 1000, 0).size();
        assertThatThrownBy(() -> client.uploadFile(tmp.resolve("missing.csv"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> client.uploadFile(tmp)).isInstanceOf(IOException.class);
        assertThat(client.listFiles(null, 1000, 0)).hasSize(before);
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
