package io.granary.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Downloads from File Storage, given a file resource read with {@code federationToken}: S3 with the file's
 * credentials (parallel ranges, or a sliced file's slices in manifest order), or one GET of the file's presigned
 * {@code url}. Work happens in a temp directory beside the destination, which is replaced only when complete.
 */
final class Downloads {

    private final HttpTransport http;
    private final Supplier<S3Transfers> transfers;

    /** @param transfers the S3 side, made on first use (it may ask the API index for the endpoint) */
    Downloads(HttpTransport http, Supplier<S3Transfers> transfers) {
        this.http = http;
        this.transfers = transfers;
    }

    /**
     * Writes the whole file into {@code destination}: {@code header} (may be null) first, then the content; with
     * {@code decompress} gzip objects are gunzipped.
     */
    void download(JsonNode file, Path destination, byte[] header, boolean decompress, DownloadOptions o)
            throws IOException {
        Path dir = destination.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, ".granary-download-");
        String bucket = file.path("s3Path").path("bucket").asText();
        String key = file.path("s3Path").path("key").asText();
        long total = totalSize(file);
        AtomicLong done = new AtomicLong();
        boolean presigned = !S3Transfers.hasCredentials(file);
        // no credentials: the server's store hands out presigned URLs only, and the file's url is the way to read it
        try (S3Client s3client = presigned ? null : client(file)) {
            Path merged = work.resolve("merged");
            if (file.path("isSliced").asBoolean(false)) {
                requireCredentialsForSlices(file);
                downloadSliced(s3client, bucket, key, work, merged, header, decompress, o, total, done);
            } else {
                Path raw = work.resolve("raw");
                if (presigned) {
                    new PresignedTransfers(http.http(), http.maxAttempts()).get(URI.create(file.path("url").asText()), raw,
                            o.progress(), total, done);
                } else {
                    transfers.get().download(s3client, bucket, key, raw, o.parallelism(), o.progress(), total, done);
                }
                if (header == null && !(decompress && TransferFiles.isGzip(raw))) {
                    merged = raw;
                } else {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(merged), S3Transfers.COPY_BUFFER)) {
                        if (header != null) {
                            out.write(header);
                        }
                        append(raw, out, decompress);
                    }
                }
            }
            Files.move(merged, destination, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            TransferFiles.deleteTree(work);
        }
    }

    /** See {@link StorageClient#downloadSlices(long, Path, DownloadOptions)}. */
    List<Path> downloadSlices(long fileId, JsonNode file, Path directory, DownloadOptions o) throws IOException {
        if (!file.path("isSliced").asBoolean(false)) {
            throw new IllegalArgumentException("File " + fileId + " is not sliced");
        }
        requireCredentialsForSlices(file);
        Files.createDirectories(directory);
        String bucket = file.path("s3Path").path("bucket").asText();
        String key = file.path("s3Path").path("key").asText();
        long total = totalSize(file);
        AtomicLong done = new AtomicLong();
        try (S3Client s3client = client(file)) {
            List<String[]> slices = manifestSlices(s3client, bucket, key);
            List<Path> targets = new ArrayList<>();
            for (String[] loc : slices) {
                String base = loc[1].substring(loc[1].lastIndexOf('/') + 1);
                Path target = directory.resolve(base).normalize();
                if (!target.getParent().equals(directory.normalize()) || base.isEmpty()) {
                    throw new IOException("Slice name \"" + base + "\" of file " + fileId + " is not a plain file name");
                }
                targets.add(target);
            }
            ExecutorService pool = S3Transfers.pool(o.parallelism());
            try {
                List<Future<Path>> futures = fetchSlices(s3client, pool, slices, targets, o, total, done);
                List<Path> paths = new ArrayList<>();
                for (Future<Path> f : futures) {
                    paths.add(S3Transfers.await(f));
                }
                return paths;
            } finally {
                S3Transfers.shutdown(pool);
            }
        }
    }

    /**
     * {@link #downloadSlices} into {@code destination} as a directory, replaced only when every slice is there: the
     * slices land in a temp directory beside it, which then takes its place.
     */
    void downloadDirectory(long fileId, JsonNode file, Path destination, DownloadOptions o) throws IOException {
        Path target = destination.toAbsolutePath().normalize();
        Files.createDirectories(target.getParent());
        Path work = Files.createTempDirectory(target.getParent(), ".granary-download-");
        Path old = null;
        try {
            downloadSlices(fileId, file, work, o);
            if (Files.exists(target)) {
                old = Files.createTempDirectory(target.getParent(), ".granary-replaced-");
                Files.move(target, old.resolve("old"));
            }
            Files.move(work, target);
        } finally {
            TransferFiles.deleteTree(work);
            TransferFiles.deleteTree(old);
        }
    }

    private S3Client client(JsonNode file) {
        return transfers.get().client(file.get("credentials"), file.path("region").asText(null));
    }

    private static long totalSize(JsonNode file) {
        return file.path("sizeBytes").isNumber() ? file.path("sizeBytes").asLong() : -1;
    }

    private static void requireCredentialsForSlices(JsonNode file) {
        if (!S3Transfers.hasCredentials(file)) {
            throw new IllegalStateException("File " + file.path("id").asText() + " is sliced, and the server handed "
                    + "out no S3 credentials for it (its object store gives presigned URLs only): its slices cannot be "
                    + "read");
        }
    }

    /** The {bucket, key} of every slice of a sliced file, in manifest order. */
    private static List<String[]> manifestSlices(S3Client s3client, String bucket, String key) throws IOException {
        JsonNode manifest;
        try (ResponseInputStream<GetObjectResponse> in = s3client.getObject(b -> b.bucket(bucket).key(key + "manifest"))) {
            manifest = HttpTransport.MAPPER.readTree(in);
        }
        List<String[]> slices = new ArrayList<>();
        for (JsonNode entry : manifest.path("entries")) {
            slices.add(parseS3Url(entry.path("url").asText()));
        }
        return slices;
    }

    /** Starts downloading each slice into its target on {@code pool}; the futures come in slice order. */
    private static List<Future<Path>> fetchSlices(S3Client s3client, ExecutorService pool, List<String[]> slices,
            List<Path> targets, DownloadOptions o, long total, AtomicLong done) {
        List<Future<Path>> futures = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            String[] loc = slices.get(i);
            Path target = targets.get(i);
            futures.add(pool.submit(() -> {
                try (ResponseInputStream<GetObjectResponse> in = s3client.getObject(b -> b.bucket(loc[0]).key(loc[1]));
                        OutputStream out = Files.newOutputStream(target)) {
                    S3Transfers.copy(in, out, o.progress(), total, done);
                }
                return target;
            }));
        }
        return futures;
    }

    private static void downloadSliced(S3Client s3client, String bucket, String key, Path work, Path merged,
            byte[] header, boolean decompress, DownloadOptions o, long total, AtomicLong done) throws IOException {
        List<String[]> slices = manifestSlices(s3client, bucket, key);
        List<Path> targets = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            targets.add(work.resolve("slice-" + i));
        }
        ExecutorService pool = S3Transfers.pool(o.parallelism());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(merged), S3Transfers.COPY_BUFFER)) {
            if (header != null) {
                out.write(header);
            }
            List<Future<Path>> futures = fetchSlices(s3client, pool, slices, targets, o, total, done);
            // append in manifest order as soon as each slice is there, freeing its disk space
            for (Future<Path> f : futures) {
                Path slice = S3Transfers.await(f);
                append(slice, out, decompress);
                Files.delete(slice);
            }
        } finally {
            S3Transfers.shutdown(pool);
        }
    }

    static String[] parseS3Url(String url) {
        if (!url.startsWith("s3://")) {
            throw new IllegalStateException("manifest entry is not an s3:// url: " + url);
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new IllegalStateException("manifest entry has no key: " + url);
        }
        return new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    private static void append(Path file, OutputStream out, boolean decompress) throws IOException {
        try (InputStream in = decompress ? CsvFiles.open(file) : Files.newInputStream(file)) {
            in.transferTo(out);
        }
    }
}
