package io.granary.server.http;

import io.javalin.http.Context;
import org.slf4j.MDC;

/**
 * What the logs of one request carry (MDC): its run id from the start, the caller's token id once known
 * ({@link Requests#caller}). Set and cleared on the request's thread.
 */
public final class RequestContext {

    public static final String TOKEN_ID = "tokenId";
    public static final String RUN_ID = "runId";

    private RequestContext() {
    }

    /** At the start of a request: nothing of the thread's previous request stays. */
    public static void begin(Context ctx) {
        MDC.remove(TOKEN_ID);
        MDC.remove(RUN_ID);
        String runId = ctx.header(Requests.RUN_ID_HEADER);
        if (runId != null && !runId.isBlank()) {
            MDC.put(RUN_ID, runId.strip());
        }
    }

    /** After the request's log line. */
    public static void end() {
        MDC.remove(TOKEN_ID);
        MDC.remove(RUN_ID);
    }
}
