package io.granary.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.http.Context;

/** Writes JSON with exactly {@code Content-Type: application/json} (the PHP client compares the string). */
public final class Responses {

    public static final String JSON_TYPE = "application/json";
    public static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Responses() {
    }

    public static void json(Context ctx, int status, Object body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            ctx.status(status);
            ctx.result(bytes);
            ctx.header("Content-Type", JSON_TYPE);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot serialise response", e);
        }
    }

    public static void noContent(Context ctx) {
        ctx.status(204);
    }
}
