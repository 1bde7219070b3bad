package io.granary.server.metrics;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics} for Prometheus, only with {@code Authorization: Bearer <metrics token>}: the metrics token is
 * a secret of its own (not a Storage API token), and without one set the route is off.
 */
public final class MetricsRoutes {

    public static final String PATH = "/metrics";
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final Metrics metrics;
    private final byte[] token;

    /** @param token the secret a scraper must send; null or blank turns the route off */
    public MetricsRoutes(Metrics metrics, String token) {
        this.metrics = metrics;
        this.token = token == null || token.isBlank() ? null : token.strip().getBytes(StandardCharsets.UTF_8);
    }

    public void register(RoutesConfig routes) {
        routes.get(PATH, this::scrape);
    }

    private void scrape(Context ctx) {
        if (token == null) {
            throw new GranaryException(ErrorCode.ROUTE_NOT_FOUND, "Metrics are off on this node: start it with"
                    + " --metrics-token (or GRANARY_METRICS_TOKEN) and scrape with that secret as a bearer token.");
        }
        String header = ctx.header("Authorization");
        String sent = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        if (sent == null || !MessageDigest.isEqual(token, sent.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"granary-metrics\"");
            throw new GranaryException(ErrorCode.TOKEN_INVALID, sent == null
                    ? "Send the metrics token as \"Authorization: Bearer <token>\"."
                    : "The metrics token is not valid.");
        }
        ctx.status(200);
        ctx.contentType(TEXT_FORMAT);
        ctx.result(metrics.scrape());
    }
}
