package io.granary.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Storage API over HTTP: one JSON request and its answer, signed with the token (and the run id), retried with
 * exponential backoff on connection failures and 5xx answers other than 501, honouring {@code Retry-After} on 503.
 * Other answers of 400 and above become a {@link StorageApiException}.
 */
final class HttpTransport {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    /** A successful answer: its status and its body as JSON (a text node when it was not JSON; null when empty). */
    record Response(int status, JsonNode body) {
    }

    private final String host;
    private final String token;
    private final String runId;
    private final int maxAttempts;
    private final HttpClient http;

    HttpTransport(String host, String token, String runId, int maxAttempts) {
        this.host = normalizeHost(host);
        this.token = Objects.requireNonNull(token, "token");
        this.runId = runId;
        this.maxAttempts = maxAttempts;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    String host() {
        return host;
    }

    /** The HTTP client, shared with transfers through presigned URLs. */
    HttpClient http() {
        return http;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    JsonNode get(String path, Map<String, ?> query) {
        return send("GET", path, query, null, REQUEST_TIMEOUT).body;
    }

    Response send(String method, String path, Map<String, ?> query, Object jsonBody) {
        return send(method, path, query, jsonBody, REQUEST_TIMEOUT);
    }

    Response send(String method, String path, Map<String, ?> query, Object jsonBody, Duration timeout) {
        URI uri = URI.create(host + path + queryString(query));
        byte[] body;
        try {
            body = jsonBody == null ? null : MAPPER.writeValueAsBytes(jsonBody);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("X-StorageApi-Token", token)
                    .header("Accept", "application/json")
                    .header("User-Agent", "granary-client/java");
            if (runId != null) {
                b.header("X-KBC-RunId", runId);
            }
            if (body != null) {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new UncheckedIOException(method + " " + path + " failed after " + attempt + " attempts: " + e, e);
                }
                sleep(backoff(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw (CancellationException) new CancellationException("interrupted during " + method + " " + path)
                        .initCause(e);
            }
            int status = r.statusCode();
            if (status < 400) {
                return new Response(status, parse(r.body()));
            }
            if (status >= 500 && status != 501 && attempt < maxAttempts) {
                long delay = backoff(attempt);
                if (status == 503) {
                    delay = r.headers().firstValue("Retry-After").map(HttpTransport::retryAfterMs).orElse(delay);
                }
                sleep(delay);
                continue;
            }
            throw httpError(status, r.body());
        }
    }

    static StorageApiException httpError(int status, byte[] raw) {
        JsonNode body = null;
        try {
            body = raw == null || raw.length == 0 ? null : MAPPER.readTree(raw);
        } catch (IOException e) {
            // not JSON: keep the text
        }
        if (body != null && body.isObject()) {
            String message = body.hasNonNull("error") ? body.get("error").asText()
                    : body.hasNonNull("reason") ? body.get("reason").asText() : body.toString();
            return new StorageApiException(status, textOrNull(body, "code"), message, textOrNull(body, "exceptionId"), body,
                    null, null);
        }
        String text = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
        return new StorageApiException(status, null, "HTTP " + status + (text.isBlank() ? "" : ": "
                + text.substring(0, Math.min(1000, text.length()))), null);
    }

    private static JsonNode parse(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return null;
        }
        try {
            return MAPPER.readTree(raw);
        } catch (IOException e) {
            return MAPPER.getNodeFactory().textNode(new String(raw, StandardCharsets.UTF_8));
        }
    }

    private static long retryAfterMs(String header) {
        try {
            return Math.min(60_000, Math.max(0, Long.parseLong(header.trim()) * 1000));
        } catch (NumberFormatException e) {
            return 5_000;
        }
    }

    /** The pause before retry {@code attempt + 1}: 250 ms doubling up to 8 s, plus up to a quarter of jitter. */
    static long backoff(int attempt) {
        long base = Math.min(8_000, 250L << Math.min(attempt - 1, 10));
        return base + ThreadLocalRandom.current().nextLong(base / 4 + 1);
    }

    /** Sleeps; an interrupt becomes a {@link CancellationException} (the interrupt flag stays set). */
    static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        }
    }

    static String queryString(Map<String, ?> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : query.entrySet()) {
            Object v = e.getValue();
            Collection<?> values = v instanceof Collection<?> c ? c : List.of(v);
            for (Object item : values) {
                sb.append(sb.length() == 0 ? '?' : '&').append(enc(e.getKey())).append('=').append(enc(String.valueOf(item)));
            }
        }
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Encodes an id as one path segment (ids contain dots, never slashes). */
    static String seg(String id) {
        return enc(Objects.requireNonNull(id, "id")).replace("+", "%20");
    }

    private static String normalizeHost(String host) {
        String h = host.trim().replaceAll("/+$", "");
        if (!h.startsWith("http://") && !h.startsWith("https://")) {
            h = "https://" + h;
        }
        return h;
    }

    static String textOrNull(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
