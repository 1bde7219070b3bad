package io.granary.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Storage API call or job that failed. A caller may rely on {@link #code()}, {@link #getMessage()} and
 * {@link #exceptionId()} being exactly what the server sent ({@code code}, {@code error} / job
 * {@code error.message}, {@code exceptionId}); any may be null when the server sent none.
 *
 * <p>{@link #status()} is the HTTP status of the failed call, or {@code 0} when the error is a finished job in
 * state {@code error} — then {@link #job()} holds the whole job resource (Keboola's clients expose it too, e.g.
 * {@code results.missingColumns} of a failed import).
 */
public class StorageApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String exceptionId;
    private final transient JsonNode job;
    private final transient JsonNode body;

    public StorageApiException(int status, String code, String message, String exceptionId) {
        this(status, code, message, exceptionId, null, null, null);
    }

    StorageApiException(int status, String code, String message, String exceptionId, JsonNode body, JsonNode job,
            Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.exceptionId = exceptionId;
        this.body = body;
        this.job = job;
    }

    /** HTTP status of the failed call; {@code 0} for a failed job. */
    public int status() {
        return status;
    }

    /** The dotted error code ({@code storage.buckets.notFound}, {@code csvImport.columnsNotMatch}…), or null. */
    public String code() {
        return code;
    }

    /** The server's id for this error (it logs the same id), or null. */
    public String exceptionId() {
        return exceptionId;
    }

    /** The failed job resource when this error is a job's; null otherwise. */
    public JsonNode job() {
        return job;
    }

    /** The parsed error body of a failed HTTP call when it was JSON; null otherwise. */
    public JsonNode body() {
        return body;
    }

    @Override
    public String toString() {
        return "StorageApiException{status=" + status + ", code=" + code + ", exceptionId=" + exceptionId + ", message="
                + getMessage() + "}";
    }
}
