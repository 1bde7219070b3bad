package io.granary.server.http;

import io.granary.core.error.GranaryException;
import io.granary.core.model.Token;
import io.granary.core.storage.TokenService;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.MDC;

/** Reads what every route needs from a request: the caller's token, parameters, ids, the run id. */
public final class Requests {

    public static final String TOKEN_HEADER = "X-StorageApi-Token";
    public static final String RUN_ID_HEADER = "X-KBC-RunId";
    /**
     * The largest JSON or form body a request may have (files go to S3 or as multipart, which is streamed to
     * disk); a larger one is refused with 413 before anything is read into memory or stored.
     */
    public static final long MAX_BODY_BYTES = 16L << 20;
    private static final String PARAMS_KEY = "granary.params";

    private final TokenService tokens;

    public Requests(TokenService tokens) {
        this.tokens = tokens;
    }

    public Token caller(Context ctx) {
        Token token = tokens.authenticate(ctx.header(TOKEN_HEADER));
        MDC.put(RequestContext.TOKEN_ID, String.valueOf(token.id()));
        return token;
    }

    /** The secret the caller sent (verify echoes it back). */
    public String secret(Context ctx) {
        return ctx.header(TOKEN_HEADER).strip();
    }

    public Params params(Context ctx) {
        Params cached = ctx.attribute(PARAMS_KEY);
        if (cached != null) {
            return cached;
        }
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        Params params;
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
            params = Params.of(ctx.queryParamMap(), ctx.formParamMap(), null);
        } else {
            String body = ctx.body();
            boolean json = type.contains("json") || body.stripLeading().startsWith("{");
            params = Params.of(ctx.queryParamMap(), null, json ? body : null);
        }
        ctx.attribute(PARAMS_KEY, params);
        return params;
    }

    /** The file part {@code data} of a multipart/form-data request (spooled to disk when large). */
    public static UploadedFile uploadedData(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType();
        if (!type.startsWith("multipart/form-data")) {
            throw GranaryException.validation("Send the file as multipart/form-data in the field \"data\".");
        }
        UploadedFile data = ctx.uploadedFile("data");
        if (data == null) {
            throw GranaryException.validation("Missing file in the field \"data\".");
        }
        return data;
    }

    public String runId(Context ctx) {
        String runId = ctx.header(RUN_ID_HEADER);
        return runId == null || runId.isBlank() ? null : runId.strip();
    }

    /** A numeric path id; a non-number is answered like an id that does not exist. */
    public static long longPath(Context ctx, String name, Function<String, GranaryException> notFound) {
        String raw = ctx.pathParam(name);
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw notFound.apply(raw);
        }
    }
}
