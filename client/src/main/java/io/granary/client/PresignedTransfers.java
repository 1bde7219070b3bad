package io.granary.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File transfers through presigned URLs, for a server whose object store mints no credentials
 * ({@code uploadParams.url} instead of {@code uploadParams.credentials}; only the {@code url} of a file to read
 * it): one plain HTTP PUT of the whole file, one plain GET. Connection failures and 5xx answers are retried;
 * the body is re-read from the file on each try, and nothing is held in memory.
 */
final class PresignedTransfers {

    private static final Duration TIMEOUT = Duration.ofHours(2);
    private static final Pattern S3_CODE = Pattern.compile("<Code>([^<]+)</Code>");

    private final HttpClient http;
    private final int maxAttempts;

    PresignedTransfers(HttpClient http, int maxAttempts) {
        this.http = http;
        this.maxAttempts = Math.max(1, maxAttempts);
    }

    /**
     * PUTs {@code file} to {@code url} with no headers but Content-Length: a presigned URL signs the host only,
     * and S3 refuses {@code x-amz-*} headers it did not sign.
     */
    void put(URI url, Path file, ProgressListener progress, long progressTotal, AtomicLong done) throws IOException {
        long size = Files.size(file);
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> r;
            try {
                r = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT)
                        .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new IOException("PUT to the presigned URL " + where(url) + " failed after " + attempt
                            + " attempts: " + e, e);
                }
                pause(attempt);
                continue;
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            if (r.statusCode() / 100 == 2) {
                progress.progress(done.addAndGet(size), progressTotal);
                return;
            }
            if (r.statusCode() >= 500 && attempt < maxAttempts) {
                pause(attempt);
                continue;
            }
            throw failure("PUT", url, r.statusCode(), r.body());
        }
    }

    /** GETs {@code url} into {@code target} (created or replaced), streaming. */
    void get(URI url, Path target, ProgressListener progress, long progressTotal, AtomicLong done) throws IOException {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<InputStream> r;
            try {
                r = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new IOException("GET of the presigned URL " + where(url) + " failed after " + attempt
                            + " attempts: " + e, e);
                }
                pause(attempt);
                continue;
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            try (InputStream in = r.body()) {
                if (r.statusCode() / 100 == 2) {
                    long before = done.get();
                    try (OutputStream out = Files.newOutputStream(target)) {
                        S3Transfers.copy(in, out, progress, progressTotal, done);
                        return;
                    } catch (IOException e) {
                        done.set(before);
                        if (attempt >= maxAttempts) {
                            throw e;
                        }
                    }
                } else {
                    String body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                    if (r.statusCode() < 500 || attempt >= maxAttempts) {
                        throw failure("GET", url, r.statusCode(), body);
                    }
                }
            }
            pause(attempt);
        }
    }

    /** The URL without its query: the signature in it is a capability, kept out of messages. */
    static String where(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath();
    }

    private static IOException failure(String method, URI url, int status, String body) {
        Matcher code = S3_CODE.matcher(body == null ? "" : body);
        return new IOException(method + " of the presigned URL " + where(url) + " failed: HTTP " + status
                + (code.find() ? " " + code.group(1) : ""));
    }

    private static void pause(int attempt) throws InterruptedIOException {
        try {
            Thread.sleep(HttpTransport.backoff(attempt));
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    private static InterruptedIOException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException io = new InterruptedIOException("interrupted while transferring");
        io.initCause(e);
        return io;
    }
}
