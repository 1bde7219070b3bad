package io.granary.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.granary.server.routes.IndexRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Holds one HTTP exchange to the server's OpenAPI document ({@code openapi.json}): the route and method must be
 * in it; a request it does not describe (a query parameter, a body field, a media type) must have been refused
 * with a 4xx; the response's status and media type must be listed for the operation and a JSON body must match
 * its schema (whose objects allow no fields the document does not name). A request to no route must get
 * Keboola's 404/405 error. JSON Schema validation is networknt's json-schema-validator with its OpenAPI 3.1
 * dialect; matching a request to its operation is the few lines below.
 */
public final class OpenApiContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOC_IRI = "https://granary.invalid/openapi.json";
    private static final OpenApiContract DOCUMENT = load();

    /** What a test sent: the form fields of a multipart body are given by name, other bodies as text. */
    public record Request(String method, URI uri, String contentType, String body, Set<String> multipartFields) {
    }

    private record Route(String template, Pattern pattern, int literals, JsonNode item) {
    }

    private final JsonNode doc;
    private final SchemaRegistry registry;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiContract(String text) throws IOException {
        doc = JSON.readTree(text);
        registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                b -> b.schemas(Map.of(DOC_IRI, text)));
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            var e = it.next();
            routes.add(route(e.getKey(), e.getValue()));
        }
        // a literal segment wins over a template, as in the server's router
        routes.sort(Comparator.comparingInt(Route::literals).reversed());
    }

    /** The document on the server's classpath. */
    public static OpenApiContract document() {
        return DOCUMENT;
    }

    /** Whether the server tests check their exchanges (the server module's surefire sets it). */
    public static boolean enabled() {
        return Boolean.getBoolean("granary.test.openapi");
    }

    public JsonNode json() {
        return doc;
    }

    /** Every (method, path template) pair the document lists, as "GET /v2/storage/tables/{tableId}". */
    public Set<String> operations() {
        Set<String> out = new LinkedHashSet<>();
        for (Route r : routes) {
            r.item().fieldNames().forEachRemaining(m -> {
                if (!m.equals("parameters")) {
                    out.add(m.toUpperCase(Locale.ROOT) + " " + r.template());
                }
            });
        }
        return out;
    }

    /** What the document does not say about this exchange; empty when it describes it. */
    public List<String> problems(Request request, int status, String responseType, String responseBody) {
        List<String> problems = new ArrayList<>();
        String path = normalise(request.uri().getRawPath());
        Route route = routes.stream().filter(r -> r.pattern().matcher(path).matches()).findFirst().orElse(null);
        String method = request.method().toLowerCase(Locale.ROOT);
        JsonNode operation = route == null ? null : route.item().get(method);
        if (operation == null) {
            if (status != 404 && status != 405) {
                problems.add((route == null ? "no path of the document matches " + path
                        : route.template() + " has no " + method) + ", yet the server answered " + status);
            } else {
                problems.addAll(validate("/components/schemas/Error", responseBody, "the 404/405 body"));
            }
            return problems;
        }
        String at = "/paths/" + escape(route.template()) + "/" + method;
        List<String> refused = requestProblems(route, operation, at, request);
        if (!refused.isEmpty() && (status < 400 || status >= 500)) {
            refused.forEach(p -> problems.add(p + ", yet the server answered " + status));
        }
        JsonNode response = operation.path("responses").get(String.valueOf(status));
        if (response == null) {
            problems.add(request.method() + " " + route.template() + " does not list status " + status);
            return problems;
        }
        String responseAt = pointerOf(response, at + "/responses/" + status);
        response = deref(response);
        if (responseBody == null || responseBody.isEmpty()) {
            return problems;
        }
        String type = mediaType(responseType);
        JsonNode content = response.path("content");
        if (!content.has(type)) {
            problems.add(request.method() + " " + route.template() + " " + status + " does not list media type " + type);
        } else if (type.equals("application/json")) {
            String pointer = responseAt + "/content/application~1json/schema";
            problems.addAll(validate(pointer, responseBody, request.method() + " " + route.template() + " " + status));
        }
        return problems;
    }

    private List<String> requestProblems(Route route, JsonNode operation, String at, Request request) {
        List<String> problems = new ArrayList<>();
        JsonNode requestBody = operation.get("requestBody");
        Set<String> bodyFields = new LinkedHashSet<>();
        if (requestBody != null) {
            requestBody.path("content").forEach(c -> bodyFields.addAll(properties(c.path("schema"))));
        }
        Set<String> queryParams = new LinkedHashSet<>();
        for (JsonNode list : List.of(route.item().path("parameters"), operation.path("parameters"))) {
            for (JsonNode p : list) {
                JsonNode param = deref(p);
                if ("query".equals(param.path("in").asText())) {
                    queryParams.add(param.path("name").asText());
                }
            }
        }
        String query = request.uri().getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String name : fieldNames(query)) {
                if (!queryParams.contains(name) && !bodyFields.contains(name)) {
                    problems.add("query parameter " + name + " of " + request.method() + " " + route.template()
                            + " is not in the document");
                }
            }
        }
        boolean hasBody = request.multipartFields() != null || (request.body() != null && !request.body().isBlank()
                && !request.body().strip().equals("{}"));
        if (!hasBody) {
            return problems;
        }
        String type = mediaType(request.contentType());
        if (requestBody == null || !requestBody.path("content").has(type)) {
            problems.add(request.method() + " " + route.template() + " takes no " + type + " body in the document");
            return problems;
        }
        Set<String> known = properties(requestBody.path("content").path(type).path("schema"));
        switch (type) {
            case "application/json" -> problems.addAll(validate(at + "/requestBody/content/application~1json/schema",
                    request.body(), request.method() + " " + route.template() + " request"));
            case "application/x-www-form-urlencoded" -> fieldNames(request.body()).stream()
                    .filter(f -> !known.contains(f))
                    .forEach(f -> problems.add("form field " + f + " of " + route.template() + " is not in the document"));
            case "multipart/form-data" -> request.multipartFields().stream()
                    .map(f -> f.indexOf('[') > 0 ? f.substring(0, f.indexOf('[')) : f)
                    .filter(f -> !known.contains(f))
                    .forEach(f -> problems.add("multipart field " + f + " of " + route.template() + " is not in the document"));
            default -> {
            }
        }
        return problems;
    }

    private List<String> validate(String pointer, String body, String what) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            return List.of(what + ": not JSON: " + abbreviate(body));
        }
        Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(DOC_IRI + "#" + p)));
        List<Error> errors = schema.validate(node);
        return errors.stream().map(e -> what + ": " + e.getInstanceLocation() + " " + e.getMessage()
                + " (body " + abbreviate(body) + ")").toList();
    }

    /** The names of a schema's properties, following a $ref to components. */
    private Set<String> properties(JsonNode schema) {
        JsonNode s = deref(schema);
        Set<String> out = new LinkedHashSet<>();
        s.path("properties").fieldNames().forEachRemaining(out::add);
        return out;
    }

    private JsonNode deref(JsonNode node) {
        JsonNode n = node;
        while (n.has("$ref")) {
            n = doc.at(n.get("$ref").asText().substring(1));
        }
        return n;
    }

    private static String pointerOf(JsonNode response, String inline) {
        return response.has("$ref") ? response.get("$ref").asText().substring(1) : inline;
    }

    /** Names of {@code a=1&b[]=2&c[x][0][k]=3}: a, b, c (PHP brackets name one field). */
    private static Set<String> fieldNames(String encoded) {
        Set<String> names = new LinkedHashSet<>();
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String name = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
            int bracket = name.indexOf('[');
            names.add(bracket > 0 ? name.substring(0, bracket) : name);
        }
        return names;
    }

    /** As the server routes it: repeated slashes are one, a trailing slash is ignored. */
    private static String normalise(String rawPath) {
        String p = rawPath == null || rawPath.isEmpty() ? "/" : rawPath.replaceAll("/{2,}", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    private static Route route(String template, JsonNode item) {
        StringBuilder regex = new StringBuilder();
        int literals = 0;
        Set<String> greedy = new LinkedHashSet<>();
        for (JsonNode p : item.path("parameters")) {
            if (p.path("x-granary-matches-slashes").asBoolean(false)) {
                greedy.add(p.path("name").asText());
            }
        }
        for (String segment : template.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            regex.append('/');
            if (segment.startsWith("{") && segment.endsWith("}")) {
                regex.append(greedy.contains(segment.substring(1, segment.length() - 1)) ? ".+" : "[^/]+");
            } else {
                regex.append(Pattern.quote(segment));
                literals++;
            }
        }
        return new Route(template, Pattern.compile(regex.length() == 0 ? "/" : regex.toString()), literals, item);
    }

    private static String escape(String template) {
        return template.replace("~", "~0").replace("/", "~1");
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static OpenApiContract load() {
        try (InputStream in = IndexRoutes.class.getResourceAsStream(IndexRoutes.OPENAPI_RESOURCE)) {
            return new OpenApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
