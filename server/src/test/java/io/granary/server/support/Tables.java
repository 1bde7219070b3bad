package io.granary.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Table Storage steps as a client script does them: upload, run a job, wait, read the export back. */
public final class Tables {

    private final EmbeddedGranary granary;
    private final Path tmp;

    public Tables(EmbeddedGranary granary, Path tmp) {
        this.granary = granary;
        this.tmp = tmp;
    }

    /** Uploads bytes through prepare + S3 PutObject (as Keboola clients do); returns the file id. */
    public long upload(String name, byte[] content) {
        return upload(granary.master(), name, content);
    }

    /** Uploads as the given token: a token without canReadAllFileUploads can load only its own files. */
    public long upload(Api api, String name, byte[] content) {
        JsonNode file = api.postJson("/v2/storage/files/prepare",
                Map.of("name", name, "federationToken", 1)).json();
        JsonNode up = file.get("uploadParams");
        try (S3Client s3 = granary.s3(up.get("credentials"))) {
            s3.putObject(b -> b.bucket(up.get("bucket").asText()).key(up.get("key").asText()), RequestBody.fromBytes(content));
        }
        return file.get("id").asLong();
    }

    public long upload(String name, String content) {
        return upload(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Uploads slices and a manifest as a sliced file; returns the file id. */
    public long uploadSliced(String name, List<byte[]> slices) {
        JsonNode file = granary.master().postJson("/v2/storage/files/prepare",
                Map.of("name", name, "federationToken", 1, "isSliced", true)).json();
        JsonNode up = file.get("uploadParams");
        String bucket = up.get("bucket").asText();
        String prefix = up.get("key").asText();
        StringBuilder manifest = new StringBuilder("{\"entries\":[");
        try (S3Client s3 = granary.s3(up.get("credentials"))) {
            for (int i = 0; i < slices.size(); i++) {
                String key = prefix + "part" + i;
                s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(slices.get(i)));
                manifest.append(i == 0 ? "" : ",").append("{\"url\":\"s3://").append(bucket).append('/').append(key).append("\"}");
            }
            manifest.append("]}");
            s3.putObject(b -> b.bucket(bucket).key(prefix + "manifest"), RequestBody.fromString(manifest.toString()));
        }
        return file.get("id").asLong();
    }

    /** Posts a job-creating request, expects 202, and waits for the job to finish. */
    public JsonNode job(Api.Response accepted) {
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        long id = accepted.json().get("id").asLong();
        for (int i = 0; i < 120; i++) {
            JsonNode job = granary.master().get("/v2/storage/jobs/" + id + "?wait=5").json();
            if (job.get("status").asText().equals("success") || job.get("status").asText().equals("error")) {
                return job;
            }
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    public JsonNode create(String bucketId, String name, long fileId, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(extra);
        body.put("name", name);
        body.put("dataFileId", fileId);
        return job(granary.master().postJson("/v2/storage/buckets/" + bucketId + "/tables-async", body));
    }

    public JsonNode load(String tableId, long fileId, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(extra);
        body.put("dataFileId", fileId);
        return job(granary.master().postJson("/v2/storage/tables/" + tableId + "/import-async", body));
    }

    /** Exports a table and returns the slices' contents, decompressed, in manifest order. */
    public List<String> exportSlices(String tableId, Map<String, Object> params) throws IOException {
        return exportSlices(granary.master(), granary.master().postJson("/v2/storage/tables/" + tableId + "/export-async", params));
    }

    /**
     * Waits for an export job posted in any encoding and returns its slices; the export file is read
     * with {@code api}'s token (the one that posted the export can read its own file).
     */
    public List<String> exportSlices(Api api, Api.Response accepted) throws IOException {
        JsonNode job = job(accepted);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        long fileId = job.get("results").get("file").get("id").asLong();
        Api.Response detail = api.get("/v2/storage/files/" + fileId + "?federationToken=1");
        assertThat(detail.status()).as(detail.body()).isEqualTo(200);
        JsonNode file = detail.json();
        assertThat(file.get("isSliced").asBoolean()).isTrue();
        assertThat(file.get("tags").toString()).contains("table-export");
        List<String> out = new ArrayList<>();
        try (S3Client s3 = granary.s3(file.get("credentials"))) {
            String bucket = file.get("s3Path").get("bucket").asText();
            String manifest = s3.getObjectAsBytes(b -> b.bucket(bucket).key(file.get("s3Path").get("key").asText() + "manifest"))
                    .asUtf8String();
            for (JsonNode entry : EmbeddedGranaryJson.read(manifest).get("entries")) {
                String key = entry.get("url").asText().substring(("s3://" + bucket + "/").length());
                byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
                boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
                try (InputStream in = gzip ? new GZIPInputStream(new ByteArrayInputStream(bytes)) : new ByteArrayInputStream(bytes)) {
                    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                    in.transferTo(buffer);
                    out.add(buffer.toString(StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    /**
     * Downloads the slices of a sliced file (its detail read with {@code federationToken}) into {@code dir}, in manifest
     * order, each under its own name, unchanged.
     */
    public List<Path> downloadSlices(JsonNode file, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        try (S3Client s3 = granary.s3(file.get("credentials"))) {
            String bucket = file.get("s3Path").get("bucket").asText();
            String manifest = s3.getObjectAsBytes(b -> b.bucket(bucket).key(file.get("s3Path").get("key").asText()
                    + "manifest")).asUtf8String();
            for (JsonNode entry : EmbeddedGranaryJson.read(manifest).get("entries")) {
                String key = entry.get("url").asText().substring(("s3://" + bucket + "/").length());
                Path slice = dir.resolve(key.substring(key.lastIndexOf('/') + 1));
                Files.write(slice, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
                out.add(slice);
            }
        }
        return out;
    }

    /** The whole export as one string. */
    public String export(String tableId, Map<String, Object> params) throws IOException {
        return String.join("", exportSlices(tableId, params));
    }

    /** The whole export of an export job posted in any encoding, read with {@code api}'s token. */
    public String export(Api api, Api.Response accepted) throws IOException {
        return String.join("", exportSlices(api, accepted));
    }

    public Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }
}
