package io.granary.server.routes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.server.http.Responses;
import io.granary.server.http.Views;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** The API index ({@code GET /v2/storage}), its OpenAPI document and the health checks; none needs a token. */
public final class IndexRoutes {

    public static final String OPENAPI_PATH = "/v2/storage/openapi.json";
    /** The OpenAPI 3.1 document of every route (a hand-kept file; the server tests hold it to the truth). */
    public static final String OPENAPI_RESOURCE = "/io/granary/server/openapi.json";
    private static final byte[] OPENAPI = openApi();

    private final Views views;
    private final String publicUrl;
    private final String s3Url;
    private final Map<String, BooleanSupplier> readiness;

    public IndexRoutes(Views views, String publicUrl, String s3Url, Map<String, BooleanSupplier> readiness) {
        this.views = views;
        this.publicUrl = publicUrl;
        this.s3Url = s3Url;
        this.readiness = new LinkedHashMap<>(readiness);
    }

    public void register(RoutesConfig routes) {
        routes.get("/v2/storage", this::index);
        routes.get("/health/live", ctx -> Responses.json(ctx, 200, Map.of("status", "ok")));
        routes.get("/health/ready", this::ready);
        routes.get(OPENAPI_PATH, ctx -> ctx.status(200).header("Content-Type", Responses.JSON_TYPE).result(OPENAPI));
    }

    private static byte[] openApi() {
        try (InputStream in = IndexRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void index(Context ctx) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("host", publicUrl);
        n.put("api", "storage");
        n.put("version", "v2");
        n.put("documentation", "https://keboola.docs.apiary.io/");
        var services = n.putArray("services");
        services.addObject().put("id", "import").put("url", publicUrl);
        services.addObject().put("id", "s3").put("url", s3Url);
        n.putArray("components");
        n.putArray("features");
        n.putObject("urlTemplates");
        Responses.json(ctx, 200, n);
    }

    private void ready(Context ctx) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ObjectNode checks = n.putObject("checks");
        boolean ok = true;
        for (var e : readiness.entrySet()) {
            boolean healthy;
            try {
                healthy = e.getValue().getAsBoolean();
            } catch (RuntimeException ex) {
                healthy = false;
            }
            checks.put(e.getKey(), healthy ? "ok" : "failing");
            ok &= healthy;
        }
        n.put("status", ok ? "ok" : "failing");
        Responses.json(ctx, ok ? 200 : 503, n);
    }
}
