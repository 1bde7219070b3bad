package io.granary.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Uploads to File Storage: {@code files/prepare}, then the bytes straight to S3 with the file's credentials (one
 * PutObject, a parallel multipart upload, or slices and a manifest), or one PUT to a presigned URL. A failed upload
 * deletes its file record with whatever was uploaded; temp files are always removed.
 */
final class Uploads {

    private final HttpTransport http;
    private final Supplier<S3Transfers> transfers;
    private final LongConsumer deleteFile;

    /**
     * @param transfers the S3 side, made on first use (it may ask the API index for the endpoint)
     * @param deleteFile deletes a file record and its objects, after a failed upload
     */
    Uploads(HttpTransport http, Supplier<S3Transfers> transfers, LongConsumer deleteFile) {
        this.http = http;
        this.transfers = transfers;
        this.deleteFile = deleteFile;
    }

    /** See {@link StorageClient#uploadFile(Path, FileUploadOptions)}. */
    long uploadFile(Path file, FileUploadOptions options) throws IOException {
        FileUploadOptions o = options == null ? FileUploadOptions.defaults() : options;
        requireReadable(file);
        String name = o.name() != null ? o.name()
                : file.getFileName().toString() + (o.compress() && !o.sliced() && !TransferFiles.isGzip(file) ? ".gz" : "");
        long sourceSize = Files.size(file);
        JsonNode prepared = prepare(name, o, o.sliced(), !o.sliced() && !o.compress() ? sourceSize : null);
        long id = prepared.path("id").asLong();
        JsonNode params = prepared.path("uploadParams");
        if (!S3Transfers.hasCredentials(params) && params.hasNonNull("url")) {
            uploadPresigned(id, URI.create(params.get("url").asText()), file, o, sourceSize);
            return id;
        }
        String bucket = params.path("bucket").asText();
        String key = params.path("key").asText();
        S3Transfers.Upload state = new S3Transfers.Upload();
        S3Client s3client = null;
        try {
            s3client = transfers.get().client(params.get("credentials"), prepared.path("region").asText(null));
            if (o.sliced()) {
                uploadSliced(s3client, file, bucket, key, o, sourceSize);
            } else {
                uploadWhole(s3client, file, bucket, key, o, sourceSize, state);
            }
            return id;
        } catch (IOException | RuntimeException | Error e) {
            if (s3client != null) {
                S3Transfers.abort(s3client, bucket, key, state, e);
            }
            deleteAfterFailure(id, e);
            throw e;
        } finally {
            if (s3client != null) {
                s3client.close();
            }
        }
    }

    private static void requireReadable(Path file) throws NoSuchFileException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a readable regular file");
        }
    }

    private JsonNode prepare(String name, FileUploadOptions o, boolean sliced, Long sizeBytes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("isPermanent", o.isPermanent());
        body.put("isPublic", o.isPublic());
        body.put("isEncrypted", o.isEncrypted());
        body.put("notify", o.notifyOnUpload());
        body.put("isSliced", sliced);
        body.put("federationToken", true);
        if (sizeBytes != null) {
            body.put("sizeBytes", sizeBytes);
        }
        if (!o.tags().isEmpty()) {
            body.put("tags", o.tags());
        }
        return http.send("POST", "/v2/storage/files/prepare", Map.of(), body).body();
    }

    /** See {@link StorageClient#uploadSlicedFile(List, FileUploadOptions)}. */
    long uploadSlicedFile(List<Path> slices, FileUploadOptions options) throws IOException {
        FileUploadOptions o = options == null ? FileUploadOptions.defaults() : options;
        if (slices == null || slices.isEmpty()) {
            throw new IllegalArgumentException("A sliced file needs at least one slice.");
        }
        Set<String> names = new HashSet<>();
        long total = 0;
        for (Path slice : slices) {
            requireReadable(slice);
            if (!names.add(slice.getFileName().toString())) {
                throw new IllegalArgumentException("Two slices are named " + slice.getFileName()
                        + ": each slice is stored under its file name, so the names must differ.");
            }
            total += Files.size(slice);
        }
        long sourceSize = total;
        String name = o.name() != null ? o.name() : slices.get(0).getFileName().toString();
        JsonNode prepared = prepare(name, o, true, null);
        long id = prepared.path("id").asLong();
        JsonNode params = prepared.path("uploadParams");
        String bucket = params.path("bucket").asText();
        String key = params.path("key").asText();
        Path tempDir = null;
        ExecutorService pool = S3Transfers.pool(o.parallelism());
        try (S3Client s3client = sliceClient(id, prepared)) {
            Path work = tempDir = Files.createTempDirectory("granary-slices-");
            AtomicLong done = new AtomicLong();
            List<Future<String>> uploads = new ArrayList<>();
            for (Path slice : slices) {
                boolean gzip = o.compress() && !TransferFiles.isGzip(slice);
                String sliceName = slice.getFileName() + (gzip ? ".gz" : "");
                uploads.add(pool.submit(() -> {
                    Path body = gzip ? TransferFiles.gzip(slice, work) : slice;
                    try {
                        String url = putSlice(s3client, bucket, key + sliceName, body);
                        o.progress().progress(done.addAndGet(Files.size(slice)), sourceSize);
                        return url;
                    } finally {
                        if (gzip) {
                            Files.deleteIfExists(body);
                        }
                    }
                }));
            }
            putManifest(s3client, bucket, key, uploads);
            return id;
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(id, e);
            throw e;
        } finally {
            S3Transfers.shutdown(pool);
            TransferFiles.deleteTree(tempDir);
        }
    }

    /** Removes the file record (and what was uploaded) after a failed upload, keeping the original failure. */
    private void deleteAfterFailure(long id, Throwable e) {
        try {
            deleteFile.accept(id);
        } catch (RuntimeException cleanup) {
            e.addSuppressed(cleanup);
        }
    }

    private S3Client sliceClient(long id, JsonNode prepared) {
        JsonNode params = prepared.path("uploadParams");
        if (!S3Transfers.hasCredentials(params)) {
            throw new IllegalStateException("File " + id + " was prepared as sliced, but the server handed out no S3 "
                    + "credentials (a presigned-only store): sliced uploads need credentials");
        }
        return transfers.get().client(params.get("credentials"), prepared.path("region").asText(null));
    }

    /** One plain PUT of the whole (optionally gzipped) file to a presigned URL; on failure the file record goes. */
    private void uploadPresigned(long id, URI url, Path file, FileUploadOptions o, long sourceSize) throws IOException {
        try {
            if (o.sliced()) {
                throw new IllegalStateException("File " + id + " was prepared as sliced, but the server handed out a "
                        + "presigned URL instead of S3 credentials: sliced uploads need credentials");
            }
            PresignedTransfers presigned = new PresignedTransfers(http.http(), http.maxAttempts());
            uploadWhole(file, o, sourceSize, (body, progress, total, done) -> presigned.put(url, body, progress, total, done));
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(id, e);
            throw e;
        }
    }

    /** Sends one whole local file (already compressed or not) somewhere. */
    private interface WholeUpload {
        void upload(Path body, ProgressListener progress, long progressTotal, AtomicLong done) throws IOException;
    }

    private void uploadWhole(S3Client s3client, Path file, String bucket, String key, FileUploadOptions o, long sourceSize,
            S3Transfers.Upload state) throws IOException {
        uploadWhole(file, o, sourceSize, (body, progress, total, done) ->
                transfers.get().upload(s3client, body, bucket, key, o.parallelism(), progress, 0, total, done, state));
    }

    private static void uploadWhole(Path file, FileUploadOptions o, long sourceSize, WholeUpload upload)
            throws IOException {
        AtomicLong done = new AtomicLong();
        if (!o.compress() || TransferFiles.isGzip(file)) {
            upload.upload(file, o.progress(), sourceSize, done);
            return;
        }
        Path gz = null;
        try {
            gz = TransferFiles.gzip(file, Path.of(System.getProperty("java.io.tmpdir")));
            // progress counts source bytes: report the compressed upload scaled to the source size
            long gzSize = Files.size(gz);
            ProgressListener scaled = (d, t) -> o.progress().progress(gzSize == 0 ? sourceSize : d * sourceSize / gzSize,
                    sourceSize);
            upload.upload(gz, scaled, gzSize, done);
        } finally {
            if (gz != null) {
                Files.deleteIfExists(gz);
            }
        }
    }

    private void uploadSliced(S3Client s3client, Path file, String bucket, String key, FileUploadOptions o, long sourceSize)
            throws IOException {
        Path tempDir = Files.createTempDirectory("granary-slices-");
        ExecutorService pool = S3Transfers.pool(o.parallelism());
        // at most parallelism slices uploading plus as many waiting on disk: bounded temp space
        Semaphore inFlight = new Semaphore(o.parallelism() * 2);
        AtomicLong done = new AtomicLong();
        List<Future<String>> uploads = new ArrayList<>();
        // the slicer only cuts (fast, sequential); each worker gzips its own slice, so compression runs in parallel
        try (CsvSlicer slicer = new CsvSlicer(file, o.delimiter(), o.enclosure(), o.sliceSize(), false, tempDir)) {
            while (true) {
                acquire(inFlight);
                CsvSlicer.Slice slice;
                try {
                    slice = slicer.next();
                } catch (IOException | RuntimeException e) {
                    inFlight.release();
                    throw e;
                }
                if (slice == null) {
                    inFlight.release();
                    break;
                }
                failFast(uploads);
                String sliceName = String.format("part%05d.csv%s", slice.index(), o.compress() ? ".gz" : "");
                uploads.add(pool.submit(() -> {
                    Path upload = slice.file();
                    try {
                        if (o.compress()) {
                            upload = TransferFiles.gzip(slice.file(), tempDir);
                            Files.delete(slice.file());
                        }
                        String url = putSlice(s3client, bucket, key + sliceName, upload);
                        o.progress().progress(done.addAndGet(slice.sourceBytes()), sourceSize);
                        return url;
                    } finally {
                        Files.deleteIfExists(slice.file());
                        Files.deleteIfExists(upload);
                        inFlight.release();
                    }
                }));
            }
            putManifest(s3client, bucket, key, uploads);
        } finally {
            S3Transfers.shutdown(pool);
            TransferFiles.deleteTree(tempDir);
        }
    }

    /** One PutObject of a slice file; returns its {@code s3://} URL for the manifest. */
    private static String putSlice(S3Client s3client, String bucket, String sliceKey, Path body) throws IOException {
        long size = Files.size(body);
        s3client.putObject(b -> b.bucket(bucket).key(sliceKey).contentLength(size),
                RequestBody.fromContentProvider(() -> S3Transfers.open(body, 0, size), size, "application/octet-stream"));
        return "s3://" + bucket + "/" + sliceKey;
    }

    /** Waits for the slice uploads, then writes the manifest listing their URLs in upload order. */
    private static void putManifest(S3Client s3client, String bucket, String key, List<Future<String>> uploads)
            throws IOException {
        ObjectNode manifest = HttpTransport.MAPPER.createObjectNode();
        ArrayNode entries = manifest.putArray("entries");
        for (Future<String> f : uploads) {
            entries.addObject().put("url", S3Transfers.await(f));
        }
        s3client.putObject(b -> b.bucket(bucket).key(key + "manifest").contentType("application/json"),
                RequestBody.fromBytes(HttpTransport.MAPPER.writeValueAsBytes(manifest)));
    }

    private static void failFast(List<Future<String>> uploads) throws IOException {
        for (Future<String> f : uploads) {
            if (f.isDone()) {
                S3Transfers.await(f);
            }
        }
    }

    private static void acquire(Semaphore s) throws InterruptedIOException {
        try {
            s.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
