package io.granary.server.console;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/**
 * Serves the web console: its pages (each a real URL answered with the same {@code index.html}, so deep links
 * and reloads work) and its versioned static files, all under a strict Content-Security-Policy. The console
 * itself calls only the public Storage API and the object store.
 */
public final class ConsoleRoutes {

    /** Every page of the console; the browser-side router draws the one asked for. */
    static final List<String> PAGES = List.of("/", "/storage", "/storage/{bucketId}", "/tables/{tableId}", "/load",
            "/files", "/files/{id}", "/jobs", "/jobs/{id}", "/tokens");
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final String REVALIDATE = "no-cache";

    private final ConsoleAssets assets;
    private final String policy;

    /**
     * @param objectStoreSources CSP sources of the object store (the S3 endpoint's origin, and for a store that
     *     addresses buckets by host name also {@code scheme://*.host}), which the browser uploads to and
     *     downloads from
     */
    public ConsoleRoutes(ConsoleAssets assets, List<String> objectStoreSources) {
        this.assets = assets;
        this.policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self' " + String.join(" ", objectStoreSources) + "; "
                + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    public void register(RoutesConfig routes) {
        for (String page : PAGES) {
            routes.get(page, ctx -> send(ctx, assets.index(), REVALIDATE));
        }
        routes.get("/console/{version}/<path>", this::asset);
    }

    private void asset(Context ctx) {
        var asset = assets.get(ctx.pathParam("path"));
        if (asset.isEmpty()) {
            securityHeaders(ctx);
            ctx.status(404).contentType("text/plain; charset=utf-8").result("Not found\n");
            return;
        }
        // an old page asking for an old version gets today's file, but must not keep it
        boolean current = ctx.pathParam("version").equals(assets.version());
        send(ctx, asset.get(), current ? IMMUTABLE : REVALIDATE);
    }

    private void send(Context ctx, ConsoleAssets.Asset asset, String cacheControl) {
        securityHeaders(ctx);
        ctx.header("Cache-Control", cacheControl);
        ctx.header("ETag", asset.etag());
        String seen = ctx.header("If-None-Match");
        if (seen != null && seen.equals(asset.etag())) {
            ctx.status(304);
            return;
        }
        ctx.contentType(asset.contentType());
        ctx.result(asset.body());
    }

    private void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", policy);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    }
}
