package io.granary.objectstore;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An STS endpoint for tests. STS is not our code and no STS server runs here: this one records each request
 * and answers with what {@code answers} gives, in STS's documented XML.
 */
final class StsEndpoint implements AutoCloseable {

    /** One recorded STS call: the form parameters and the Authorization header. */
    record Call(Map<String, String> params, String authorization) {
    }

    /** What to answer: an HTTP status and the XML body. */
    record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    private StsEndpoint(Function<Call, Answer> answers) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Call call = new Call(form(body), exchange.getRequestHeaders().getFirst("Authorization"));
            calls.add(call);
            Answer answer = answers.apply(call);
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/xml");
            exchange.sendResponseHeaders(answer.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    static StsEndpoint start(Function<Call, Answer> answers) {
        return new StsEndpoint(answers);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Call> calls() {
        return calls;
    }

    /** A successful answer of {@code action} (GetFederationToken, AssumeRole) carrying these credentials. */
    static String success(String action, String accessKeyId, String secret, String sessionToken, Instant expiration) {
        return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action + "Result>"
                + "<Credentials><AccessKeyId>" + accessKeyId + "</AccessKeyId>"
                + "<SecretAccessKey>" + secret + "</SecretAccessKey>"
                + "<SessionToken>" + sessionToken + "</SessionToken>"
                + "<Expiration>" + expiration + "</Expiration></Credentials>"
                + "<PackedPolicySize>7</PackedPolicySize></" + action + "Result>"
                + "<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>"
                + "</" + action + "Response>";
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
