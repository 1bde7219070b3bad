package io.granary.server.routes;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Bucket;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.storage.TokenService;
import io.granary.server.http.Params;
import io.granary.server.http.Requests;
import io.granary.server.http.Responses;
import io.granary.server.http.Views;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/** {@code /v2/storage/tokens/**}. */
public final class TokenRoutes {

    private final TokenService tokens;
    private final Catalog catalog;
    private final Requests requests;
    private final Views views;

    public TokenRoutes(TokenService tokens, Catalog catalog, Requests requests, Views views) {
        this.tokens = tokens;
        this.catalog = catalog;
        this.requests = requests;
        this.views = views;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v2/storage/tokens/verify", this::verify);
        routes.get("/v2/storage/tokens", this::list);
        routes.post("/v2/storage/tokens", this::create);
        routes.get("/v2/storage/tokens/{id}", this::detail);
        routes.delete("/v2/storage/tokens/{id}", this::delete);
        routes.post("/v2/storage/tokens/{id}/refresh", this::refresh);
    }

    private void verify(Context ctx) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, render(caller, requests.secret(ctx)));
    }

    private void list(Context ctx) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, tokens.list(caller).stream().map(t -> render(t, null)).toList());
    }

    private void create(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        var created = tokens.create(caller, new TokenService.TokenRequest(p.string("description"),
                p.map("bucketPermissions"), p.bool("canManageBuckets"), p.bool("canReadAllFileUploads"),
                p.longValue("expiresIn")));
        Responses.json(ctx, 201, render(created.token(), created.secret()));
    }

    private void detail(Context ctx) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, render(tokens.get(caller, id(ctx)), null));
    }

    private void delete(Context ctx) {
        Token caller = requests.caller(ctx);
        tokens.delete(caller, id(ctx));
        Responses.noContent(ctx);
    }

    private void refresh(Context ctx) {
        Token caller = requests.caller(ctx);
        var refreshed = tokens.refresh(caller, id(ctx));
        Responses.json(ctx, 200, render(refreshed.token(), refreshed.secret()));
    }

    private Object render(Token t, String secret) {
        List<Bucket> buckets = t.isMasterToken() || t.canManageBuckets() ? catalog.listBuckets() : List.of();
        Token creator = t.creatorTokenId() == null ? null : catalog.findToken(t.creatorTokenId()).orElse(null);
        return views.token(t, secret, buckets, creator);
    }

    private static long id(Context ctx) {
        return Requests.longPath(ctx, "id",
                raw -> new GranaryException(ErrorCode.TOKENS_NOT_FOUND, "Token " + raw + " not found."));
    }
}
