package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

class FileApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private static JsonNode prepare(Api api, Map<String, Object> body) {
        Api.Response r = api.postJson("/v2/storage/files/prepare", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static String httpGet(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void prepareUploadWithTheAwsSdkAndDownload() throws Exception {
        JsonNode file = prepare(granary.master(), Map.of("name", "new-file.csv", "sizeBytes", 52, "federationToken", 1,
                "isEncrypted", true, "tags", List.of("a", "b")));
        assertThat(file.get("id").asLong()).isPositive();
        assertThat(file.get("isSliced").isBoolean()).isTrue();
        assertThat(file.get("provider").asText()).isEqualTo("aws");
        assertThat(file.get("region").asText()).isNotEmpty();
        assertThat(file.get("maxAgeDays").asInt()).isEqualTo(15);
        assertThat(file.get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        JsonNode up = file.get("uploadParams");
        assertThat(up.get("bucket").asText()).isEqualTo("granary");
        assertThat(up.get("acl").asText()).isEqualTo("private");
        assertThat(up.get("x-amz-server-side-encryption").asText()).isEqualTo("AES256");
        assertThat(up.get("key").asText()).matches("exp-15/1/files/\\d{4}/\\d\\d/\\d\\d/" + file.get("id").asLong() + "\\.new-file\\.csv");
        JsonNode creds = up.get("credentials");
        assertThat(creds.get("Expiration").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");

        String content = "id,name\n1,alice\n2,bob\n";
        try (S3Client s3 = granary.s3(creds)) {
            s3.putObject(b -> b.bucket(up.get("bucket").asText()).key(up.get("key").asText())
                    .serverSideEncryption(ServerSideEncryption.AES256).acl(ObjectCannedACL.PRIVATE),
                    RequestBody.fromString(content));
            // the same credentials reach no other key and cannot read or list
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket("granary").key(up.get("key").asText() + "-other"),
                    RequestBody.fromString("x"))).isInstanceOf(S3Exception.class)
                    .satisfies(e -> {
                        assertThat(((S3Exception) e).statusCode()).isEqualTo(403);
                        assertThat(((S3Exception) e).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                    });
            assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket("granary"))).isInstanceOf(S3Exception.class);
        }

        JsonNode detail = granary.master().get("/v2/storage/files/" + file.get("id").asLong() + "?federationToken=1").json();
        assertThat(detail.get("s3Path").get("key").asText()).isEqualTo(up.get("key").asText());
        assertThat(detail.get("s3Path").get("bucket").asText()).isEqualTo("granary");
        assertThat(detail.has("credentials")).isTrue();
        assertThat(httpGet(detail.get("url").asText())).isEqualTo(content);
        try (S3Client s3 = granary.s3(detail.get("credentials"))) {
            String read = s3.getObjectAsBytes(b -> b.bucket("granary").key(up.get("key").asText())).asUtf8String();
            assertThat(read).isEqualTo(content);
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket("granary").key(up.get("key").asText()),
                    RequestBody.fromString("overwrite"))).isInstanceOf(S3Exception.class);
        }
        JsonNode plain = granary.master().get("/v2/storage/files/" + file.get("id").asLong()).json();
        assertThat(plain.has("credentials")).isFalse();
        assertThat(plain.has("s3Path")).isFalse();
    }

    @Test
    void multipartUploadAsThePhpClientDoes() throws Exception {
        JsonNode file = prepare(granary.master(), Map.of("name", "big.bin", "federationToken", true));
        JsonNode up = file.get("uploadParams");
        String key = up.get("key").asText();
        byte[] part1 = new byte[5 * 1024 * 1024];
        byte[] part2 = new byte[1024];
        new Random(1).nextBytes(part1);
        new Random(2).nextBytes(part2);
        try (S3Client s3 = granary.s3(up.get("credentials"))) {
            String uploadId = s3.createMultipartUpload(b -> b.bucket("granary").key(key).acl(ObjectCannedACL.PRIVATE)
                    .serverSideEncryption(ServerSideEncryption.AES256)).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            byte[][] bodies = {part1, part2};
            for (int i = 0; i < 2; i++) {
                int n = i + 1;
                String etag = s3.uploadPart(b -> b.bucket("granary").key(key).uploadId(uploadId).partNumber(n),
                        RequestBody.fromBytes(bodies[n - 1])).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket("granary").key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        }
        JsonNode detail = granary.master().get("/v2/storage/files/" + file.get("id").asLong() + "?federationToken=1").json();
        try (S3Client s3 = granary.s3(detail.get("credentials"))) {
            byte[] read = s3.getObjectAsBytes(b -> b.bucket("granary").key(key)).asByteArray();
            assertThat(read.length).isEqualTo(part1.length + part2.length);
            assertThat(java.util.Arrays.copyOfRange(read, part1.length, read.length)).isEqualTo(part2);
        }
    }

    @Test
    void slicedFileManifestIsServedByTheUrl() throws Exception {
        JsonNode file = prepare(granary.master(), Map.of("name", "sliced.csv", "isSliced", true, "federationToken", true));
        JsonNode up = file.get("uploadParams");
        String prefix = up.get("key").asText();
        String manifest = "{\"entries\":[{\"url\":\"s3://granary/" + prefix + "part0001\"},{\"url\":\"s3://granary/" + prefix + "part0002\"}]}";
        try (S3Client s3 = granary.s3(up.get("credentials"))) {
            s3.putObject(b -> b.bucket("granary").key(prefix + "part0001"), RequestBody.fromString("1,a\n"));
            s3.putObject(b -> b.bucket("granary").key(prefix + "part0002"), RequestBody.fromString("2,b\n"));
            s3.putObject(b -> b.bucket("granary").key(prefix + "manifest"), RequestBody.fromString(manifest));
            String sibling = prefix.substring(0, prefix.lastIndexOf('/') + 1) + "other.csv";
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket("granary").key(sibling), RequestBody.fromString("x")))
                    .isInstanceOf(S3Exception.class);
        }
        JsonNode detail = granary.master().get("/v2/storage/files/" + file.get("id").asLong() + "?federationToken=1").json();
        assertThat(detail.get("isSliced").asBoolean()).isTrue();
        assertThat(detail.get("s3Path").get("key").asText()).isEqualTo(prefix);
        assertThat(httpGet(detail.get("url").asText())).isEqualTo(manifest);
        try (S3Client s3 = granary.s3(detail.get("credentials"))) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket("granary").key(prefix + "manifest")).asUtf8String()).isEqualTo(manifest);
            assertThat(s3.getObjectAsBytes(b -> b.bucket("granary").key(prefix + "part0002")).asUtf8String()).isEqualTo("2,b\n");
        }
    }

    @Test
    void importerUploadStreamsAFile() throws Exception {
        Path data = tmp.resolve("upload.csv");
        Files.writeString(data, "a,b\n1,2\n");
        Api.Response r = granary.master().upload("/upload-file", data, "upload.csv", Map.of("tags[]", "imported"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode file = r.json();
        assertThat(file.get("name").asText()).isEqualTo("upload.csv");
        assertThat(file.get("sizeBytes").asLong()).isEqualTo(8);
        assertThat(file.get("tags").toString()).isEqualTo("[\"imported\"]");
        assertThat(file.has("uploadParams")).isFalse();
        assertThat(httpGet(file.get("url").asText())).isEqualTo("a,b\n1,2\n");

        Api.Response missing = granary.master().upload("/upload-file", null, null, Map.of("tags[]", "x"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("error").asText()).contains("data");
    }

    @Test
    void listFiltersByAnyTagNewestFirst() {
        long a = prepare(granary.master(), Map.of("name", "t1.csv", "tags", List.of("list-x"))).get("id").asLong();
        long b = prepare(granary.master(), Map.of("name", "t2.csv", "tags", List.of("list-y", "other"))).get("id").asLong();
        prepare(granary.master(), Map.of("name", "t3.csv", "tags", List.of("unrelated")));
        JsonNode listed = granary.master().get("/v2/storage/files?tags[]=list-x&tags[]=list-y").json();
        assertThat(listed.findParents("isSliced").stream().map(n -> n.get("id").asLong()).toList()).containsExactly(b, a);
        JsonNode limited = granary.master().get("/v2/storage/files?limit=1").json();
        assertThat(limited.size()).isEqualTo(1);
        Api.Response scalar = granary.master().get("/v2/storage/files?tags=list-x");
        assertThat(scalar.status()).isEqualTo(400);
        assertThat(scalar.json().get("error").asText()).contains("tags");
    }

    @Test
    void tagsAreAddedOnceAndRemoved() {
        long id = prepare(granary.master(), Map.of("name", "tagged.csv")).get("id").asLong();
        assertThat(granary.master().postJson("/v2/storage/files/" + id + "/tags", Map.of("tag", "t")).status()).isEqualTo(204);
        granary.master().postForm("/v2/storage/files/" + id + "/tags", Map.of("tag", "t"));
        granary.master().postForm("/v2/storage/files/" + id + "/tags", Map.of("tag", "u"));
        assertThat(granary.master().get("/v2/storage/files/" + id).json().get("tags").toString()).isEqualTo("[\"t\",\"u\"]");
        assertThat(granary.master().delete("/v2/storage/files/" + id + "/tags/t").status()).isEqualTo(204);
        assertThat(granary.master().get("/v2/storage/files/" + id).json().get("tags").toString()).isEqualTo("[\"u\"]");
    }

    @Test
    void deleteRemovesFileAndObject() throws Exception {
        JsonNode file = prepare(granary.master(), Map.of("name", "del.csv", "federationToken", 1));
        String key = file.get("uploadParams").get("key").asText();
        try (S3Client s3 = granary.s3(file.get("uploadParams").get("credentials"))) {
            s3.putObject(b -> b.bucket("granary").key(key), RequestBody.fromString("x"));
        }
        Path object = granary.dataDir().resolve("objects/granary").resolve(key);
        assertThat(object).exists();
        long id = file.get("id").asLong();
        Api.Response accepted = granary.master().delete("/v2/storage/files/" + id + "?async=1");
        assertThat(accepted.status()).isEqualTo(202);
        JsonNode job = granary.master().get("/v2/storage/jobs/" + accepted.json().get("id").asLong() + "?wait=10").json();
        assertThat(job.get("status").asText()).isEqualTo("success");
        Api.Response gone = granary.master().get("/v2/storage/files/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("code").asText()).isEqualTo("storage.files.notFound");
        assertThat(gone.json().get("error").asText()).isEqualTo("File not found (id " + id + ").");
        assertThat(object).doesNotExist();
    }

    @Test
    void aTokenSeesOnlyItsOwnUploads() {
        String secret = granary.master().postJson("/v2/storage/tokens", Map.of("description", "uploader")).json()
                .get("token").asText();
        Api uploader = granary.api(secret);
        long mine = prepare(uploader, Map.of("name", "mine.csv")).get("id").asLong();
        long masters = prepare(granary.master(), Map.of("name", "masters.csv")).get("id").asLong();
        assertThat(uploader.get("/v2/storage/files/" + mine).status()).isEqualTo(200);
        assertThat(uploader.get("/v2/storage/files/" + masters).status()).isEqualTo(404);
        assertThat(uploader.get("/v2/storage/files").json().findParents("isSliced").stream().map(n -> n.get("id").asLong()).toList())
                .containsExactly(mine);
        assertThat(granary.master().get("/v2/storage/files/" + mine).status()).isEqualTo(200);
    }

    @Test
    void badPrepareInputIs400() {
        Api.Response noName = granary.master().postJson("/v2/storage/files/prepare", Map.of("sizeBytes", 1));
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.json().get("code").asText()).isEqualTo("storage.files.validation");
        assertThat(noName.json().get("error").asText()).contains("name");
        Api.Response longName = granary.master().postJson("/v2/storage/files/prepare", Map.of("name", "n".repeat(300)));
        assertThat(longName.status()).isEqualTo(400);
        assertThat(longName.json().get("error").asText()).contains("too long");
        Api.Response badSize = granary.master().postJson("/v2/storage/files/prepare", Map.of("name", "a", "sizeBytes", "lots"));
        assertThat(badSize.status()).isEqualTo(400);
        assertThat(badSize.json().get("error").asText()).contains("sizeBytes");
        Api.Response notFound = granary.master().get("/v2/storage/files/abc");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.json().get("error").asText()).isEqualTo("File not found (id abc).");
    }

    @Test
    void presignedUrlIsForThatKeyOnly() throws Exception {
        JsonNode file = prepare(granary.master(), Map.of("name", "p.csv", "federationToken", 1));
        String url = file.get("url").asText();
        String tampered = url.replace("p.csv", "q.csv");
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(tampered)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(403);
    }
}
