package io.granary.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A plain HTTP client for the Storage API, as a script would use it. */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String token;

    Api(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** A response with its body read as text. */
    public record Response(int status, String body, HttpResponse<String> raw) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Response get(String path) {
        return send("GET", path, null, null, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null, null);
    }

    public Response deleteJson(String path, Object body) {
        return send("DELETE", path, "application/json", write(body), null);
    }

    public Response postJson(String path, Object body) {
        return send("POST", path, "application/json", body instanceof String s ? s : write(body), null);
    }

    public Response putJson(String path, Object body) {
        return send("PUT", path, "application/json", write(body), null);
    }

    /** Form-encoded body; keys may use PHP brackets ({@code tags[]}). Values are sent in map order. */
    public Response postForm(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        return send("POST", path, "application/x-www-form-urlencoded", body, null);
    }

    /** Form-encoded body from key/value pairs; a key may repeat ({@code primaryKey[]=a&primaryKey[]=b}). */
    public Response postFormPairs(String path, String... keysAndValues) {
        return postRaw(path, "application/x-www-form-urlencoded", formBody(keysAndValues));
    }

    /** {@code k1=v1&k2=v2…}, URL-encoded, for form bodies and query strings. */
    public static String formBody(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must pair up");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            sb.append(i == 0 ? "" : "&").append(enc(keysAndValues[i])).append('=').append(enc(keysAndValues[i + 1]));
        }
        return sb.toString();
    }

    public Response postRaw(String path, String contentType, String body) {
        return send("POST", path, contentType, body, null);
    }

    /** multipart/form-data with one file field {@code data} plus text fields. */
    public Response upload(String path, Path file, String fileName, Map<String, String> fields) throws IOException {
        Multipart mp = new Multipart();
        fields.forEach(mp::field);
        Set<String> names = new LinkedHashSet<>(fields.keySet());
        if (file != null) {
            mp.file("data", fileName, file);
            names.add("data");
        }
        HttpRequest.Builder b = builder(path).header("Content-Type", mp.contentType()).POST(mp.publisher());
        return exchange(b, new OpenApiContract.Request("POST", b.build().uri(), mp.contentType(), null, names));
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        if (token != null) {
            b.header("X-StorageApi-Token", token);
        }
        return b;
    }

    private Response send(String method, String path, String contentType, String body, Set<String> multipart) {
        HttpRequest.Builder b = builder(path);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return exchange(b, new OpenApiContract.Request(method, b.build().uri(), contentType, body, multipart));
    }

    /** Sends, and (in the server's own tests) holds the exchange to openapi.json: a gap fails the calling test. */
    private static Response exchange(HttpRequest.Builder b, OpenApiContract.Request request) {
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (OpenApiContract.enabled()) {
                List<String> problems = OpenApiContract.document().problems(request, r.statusCode(),
                        r.headers().firstValue("Content-Type").orElse(null), r.body());
                if (!problems.isEmpty()) {
                    throw new AssertionError("openapi.json does not describe " + request.method() + " "
                            + request.uri().getRawPath() + ":\n - " + String.join("\n - ", problems));
                }
            }
            return new Response(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new AssertionError("HTTP request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
