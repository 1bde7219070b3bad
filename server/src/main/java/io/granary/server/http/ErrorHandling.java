package io.granary.server.http;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobService;
import io.granary.core.util.Secrets;
import java.time.Instant;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Turns every failure into Keboola's error JSON; internal errors are logged under the same exceptionId. */
public final class ErrorHandling {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandling.class);

    private ErrorHandling() {
    }

    public static void register(RoutesConfig routes, UploadLimits uploads) {
        routes.exception(GranaryException.class, (e, ctx) -> write(ctx, e.errorCode(), e.getMessage(), e));
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            GranaryException tooLarge = uploads.tooLarge(e);
            if (tooLarge != null) {
                refuseBody(ctx, tooLarge);
                return;
            }
            int status = e.getStatus();
            if (status == 413) {
                // the rest of the body is still on the wire: this connection cannot carry another request
                ctx.header("Connection", "close");
            }
            ErrorCode code = status >= 500 ? ErrorCode.INTERNAL : ErrorCode.user("storage.validation", status);
            String message = status == 413 ? "The request body is larger than the limit of "
                    + (Requests.MAX_BODY_BYTES >> 20) + " MiB: upload files to File Storage (or as multipart/form-data)"
                    + " instead." : e.getMessage();
            write(ctx, code, message, e);
        });
        routes.exception(Exception.class, (e, ctx) -> {
            GranaryException tooLarge = uploads.tooLarge(e);
            if (tooLarge != null) {
                refuseBody(ctx, tooLarge);
            } else {
                write(ctx, ErrorCode.INTERNAL, null, e);
            }
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                write(ctx, ErrorCode.ROUTE_NOT_FOUND, "Route " + ctx.method() + " " + ctx.path() + " not found.", null);
            }
        });
        routes.error(405, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                write(ctx, ErrorCode.METHOD_NOT_ALLOWED, "Method " + ctx.method() + " is not allowed on " + ctx.path() + ".", null);
            }
        });
    }

    /**
     * The parser stopped before the end of the body, so the rest of it is unread: without Connection: close a
     * client would send its next request on this connection, which Jetty closes after the response.
     */
    private static void refuseBody(Context ctx, GranaryException tooLarge) {
        ctx.header("Connection", "close");
        write(ctx, tooLarge.errorCode(), tooLarge.getMessage(), tooLarge);
    }

    private static void write(Context ctx, ErrorCode code, String message, Exception e) {
        // a failed job's error keeps the id it was logged with when the job failed
        String exceptionId = e instanceof GranaryException ge && ge.exceptionId() != null ? ge.exceptionId()
                : Secrets.exceptionId();
        String text = message;
        if (!code.userError()) {
            MDC.put("exceptionId", exceptionId);
            LOG.error("internal error on {} {} (exceptionId {})", ctx.method(), ctx.path(), exceptionId, e);
            MDC.remove("exceptionId");
            text = "Internal error. Contact the administrator with exception id " + exceptionId + ".";
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", text);
        body.put("code", code.code());
        body.put("status", "error");
        body.put("exceptionId", exceptionId);
        if (code.equals(ErrorCode.MAINTENANCE) && e instanceof GranaryException ge) {
            // what Keboola's clients read from a 503: Retry-After, and the maintenance status with its reason
            Object retryAfter = ge.details().getOrDefault(JobService.RETRY_AFTER, 30L);
            ctx.header("Retry-After", String.valueOf(retryAfter));
            body.put("status", "maintenance");
            body.put("reason", text);
            body.put("estimatedEndTime", Times.format(Instant.now().plusSeconds(((Number) retryAfter).longValue())));
        } else if (e instanceof GranaryException ge && !ge.details().isEmpty()) {
            body.put("context", ge.details());
        }
        Responses.json(ctx, code.status(), body);
    }
}
