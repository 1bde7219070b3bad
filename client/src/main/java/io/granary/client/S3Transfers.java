package io.granary.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The S3 side of File Storage: clients built from a file resource's temporary credentials, streaming
 * put/multipart uploads and ranged downloads. Buffers are fixed-size; nothing is read whole into memory.
 */
final class S3Transfers implements AutoCloseable {

    /** Files up to this size go in one PutObject; larger ones in parallel multipart parts of {@link #PART_SIZE}. */
    static final long MULTIPART_THRESHOLD = 32L * 1024 * 1024;
    static final long PART_SIZE = 16L * 1024 * 1024;
    /** S3's largest PutObject. */
    static final long MAX_SINGLE_PUT = 5L << 30;
    static final int COPY_BUFFER = 64 * 1024;

    private final URI endpoint;
    private final SdkHttpClient http;
    private final boolean sameMachine;
    private final Map<String, S3Client> shared = new ConcurrentHashMap<>();

    /** @param onePutOnThisMachine whether a large file goes in one PutObject to an endpoint on this machine */
    S3Transfers(URI endpoint, boolean onePutOnThisMachine) {
        this.endpoint = endpoint;
        this.sameMachine = onePutOnThisMachine && endpoint != null && isLoopback(endpoint.getHost());
        // measured on 1 KB PutObjects to the embedded endpoint: p99 82-87 ms with HttpURLConnection, 10-12 ms with
        // Apache's client (same p50); Apache's sets TCP_NODELAY, HttpURLConnection leaves small writes to Nagle
        this.http = ApacheHttpClient.builder()
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofMinutes(2))
                .build();
    }

    /** An S3 client for one file's credentials ({@code AccessKeyId}, {@code SecretAccessKey}, {@code SessionToken}). */
    S3Client client(JsonNode credentials, String region) {
        AwsCredentialsProvider fileCredentials = StaticCredentialsProvider.create(AwsSessionCredentials.create(
                text(credentials, "AccessKeyId"), text(credentials, "SecretAccessKey"), text(credentials, "SessionToken")));
        String name = region == null || region.isBlank() ? "us-east-1" : region;
        return new FileS3Client(shared.computeIfAbsent(name, this::regionClient), fileCredentials);
    }

    private S3Client regionClient(String region) {
        var builder = S3Client.builder()
                .httpClient(http)
                .region(Region.of(region))
                // every call carries its file's credentials (FileS3Client); one without them is a bug, not a login
                .credentialsProvider(() -> {
                    throw new IllegalStateException("an S3 call without its file's credentials");
                });
        if (endpoint != null) {
            // a self-hosted endpoint (localhost, an IP) has no per-bucket DNS names
            builder.endpointOverride(endpoint).forcePathStyle(true);
        }
        return builder.build();
    }

    /** Whether a file resource (or its {@code uploadParams}) carries S3 credentials. */
    static boolean hasCredentials(JsonNode node) {
        JsonNode c = node.get("credentials");
        return c != null && c.isObject();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalStateException("file resource has no credentials." + field);
        }
        return v.asText();
    }

    /** Tracks a multipart upload so a failed upload can be aborted. */
    static final class Upload {
        volatile String uploadId;
    }

    /**
     * Uploads {@code file} to {@code bucket/key}: one PutObject, or parallel multipart parts for a large file. To an
     * endpoint on this machine (Granary's embedded one) a file up to {@link #MAX_SINGLE_PUT} goes in one PutObject
     * whatever its size: there the network is no bottleneck that parallel parts would widen, and completing a
     * multipart upload copies the whole object once more on a filesystem without reflinks (ext4). Measured on
     * 1 GiB: 17 % less server CPU and 20 % less client CPU than 16 MiB parts 4 at a time.
     */
    void upload(S3Client s3, Path file, String bucket, String key, int parallelism, ProgressListener progress,
            long progressBase, long progressTotal, AtomicLong done, Upload state) throws IOException {
        long size = Files.size(file);
        if (size <= MULTIPART_THRESHOLD || sameMachine && size <= MAX_SINGLE_PUT) {
            AtomicLong attempt = new AtomicLong();
            s3.putObject(b -> b.bucket(bucket).key(key).contentLength(size),
                    RequestBody.fromContentProvider(() -> {
                        // a retry reads the file again: take back what the failed attempt reported
                        done.addAndGet(-attempt.getAndSet(0));
                        return new CountingInputStream(open(file, 0, size), n -> {
                            attempt.addAndGet(n);
                            progress.progress(done.addAndGet(n), progressTotal);
                        });
                    }, size, "application/octet-stream"));
            return;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        state.uploadId = uploadId;
        int parts = (int) ((size + PART_SIZE - 1) / PART_SIZE);
        List<Callable<CompletedPart>> tasks = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            int number = i + 1;
            long offset = i * PART_SIZE;
            long length = Math.min(PART_SIZE, size - offset);
            tasks.add(() -> {
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                                .contentLength(length),
                        RequestBody.fromContentProvider(() -> open(file, offset, length), length, "application/octet-stream"))
                        .eTag();
                progress.progress(done.addAndGet(length), progressTotal);
                return CompletedPart.builder().partNumber(number).eTag(etag).build();
            });
        }
        List<CompletedPart> completed = runAll(tasks, parallelism);
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed)));
        state.uploadId = null;
    }

    /** Best-effort abort of a multipart upload left by a failed {@link #upload}. */
    static void abort(S3Client s3, String bucket, String key, Upload state, Throwable failure) {
        String id = state.uploadId;
        if (id == null) {
            return;
        }
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id));
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Downloads {@code bucket/key} into {@code target} (created or replaced): ranged parallel GETs for a large
     * object, else one streaming GET.
     */
    void download(S3Client s3, String bucket, String key, Path target, int parallelism, ProgressListener progress,
            long progressTotal, AtomicLong done) throws IOException {
        long size = parallelism > 1 ? s3.headObject(b -> b.bucket(bucket).key(key)).contentLength() : -1;
        if (size <= MULTIPART_THRESHOLD) {
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key));
                    OutputStream out = Files.newOutputStream(target)) {
                copy(in, out, progress, progressTotal, done);
            }
            return;
        }
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            int parts = (int) ((size + PART_SIZE - 1) / PART_SIZE);
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                long offset = i * PART_SIZE;
                long last = Math.min(size, offset + PART_SIZE) - 1;
                tasks.add(() -> {
                    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key)
                            .range("bytes=" + offset + "-" + last))) {
                        byte[] buf = new byte[COPY_BUFFER];
                        long position = offset;
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                            while (bb.hasRemaining()) {
                                position += channel.write(bb, position);
                            }
                            progress.progress(done.addAndGet(n), progressTotal);
                        }
                        if (position != last + 1) {
                            throw new IOException("short ranged read of " + key + ": got up to " + position + ", expected "
                                    + (last + 1));
                        }
                    }
                    return null;
                });
            }
            runAll(tasks, parallelism);
        }
    }

    static void copy(InputStream in, OutputStream out, ProgressListener progress, long total, AtomicLong done)
            throws IOException {
        byte[] buf = new byte[COPY_BUFFER];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            progress.progress(done.addAndGet(n), total);
        }
    }

    /** A stream over {@code length} bytes of {@code file} from {@code offset}; a fresh one per (re)try. */
    static InputStream open(Path file, long offset, long length) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(offset);
            InputStream raw = java.nio.channels.Channels.newInputStream(ch);
            return new BufferedInputStream(new BoundedInputStream(raw, length), COPY_BUFFER);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs tasks on at most {@code parallelism} threads; the first failure cancels the rest and is rethrown. */
    static <T> List<T> runAll(List<? extends Callable<T>> tasks, int parallelism) throws IOException {
        if (tasks.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = pool(Math.min(parallelism, tasks.size()));
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> t : tasks) {
                futures.add(pool.submit(t));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(await(f));
            }
            return results;
        } finally {
            shutdown(pool);
        }
    }

    /**
     * Stops a transfer pool and waits (bounded) for running tasks: after a failure the caller deletes what was
     * uploaded, and a request still in flight must not land after that delete.
     */
    static void shutdown(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    static ExecutorService pool(int threads) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "granary-client-transfer-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits for a task and rethrows its failure as thrown (IOException, RuntimeException, Error). */
    static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new java.io.InterruptedIOException("interrupted while transferring");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof java.io.UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    @Override
    public void close() {
        shared.values().forEach(S3Client::close);
        http.close();
    }

    /** Whether {@code host} names this machine (a loopback address); false when it does not resolve. */
    static boolean isLoopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Tells {@code counter} how many bytes each read returned. */
    static final class CountingInputStream extends java.io.FilterInputStream {
        private final java.util.function.LongConsumer counter;

        CountingInputStream(InputStream in, java.util.function.LongConsumer counter) {
            super(in);
            this.counter = counter;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                counter.accept(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                counter.accept(n);
            }
            return n;
        }
    }

    /** Reads at most {@code remaining} bytes of the wrapped stream. */
    static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
