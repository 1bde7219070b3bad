package io.granary.server.metrics;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;

/** The template of the route that answered a request ({@code /v2/storage/tables/{tableId}}), never its path. */
public final class RouteTemplate {

    /** The label of a request no route matched (a 404 for an unknown path): its path could hold anything. */
    public static final String UNMATCHED = "unmatched";

    private RouteTemplate() {
    }

    public static String of(Context ctx) {
        Endpoint endpoint;
        try {
            endpoint = ctx.endpoints().matchedHttpEndpoint();
        } catch (RuntimeException none) {
            endpoint = null;
        }
        return endpoint == null || endpoint.path == null || endpoint.path.isEmpty() ? UNMATCHED : endpoint.path;
    }
}
