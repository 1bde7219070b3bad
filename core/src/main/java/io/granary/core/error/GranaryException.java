package io.granary.core.error;

import java.util.Map;

/**
 * The one exception the domain throws. The HTTP edge turns it into Keboola's error JSON
 * ({@code error}, {@code code}, {@code status}, {@code exceptionId}); a job turns it into its
 * {@code error} object. {@code details} are extra fields a client may read (e.g. job results).
 */
public class GranaryException extends RuntimeException {

    private final ErrorCode errorCode;
    private final Map<String, Object> details;
    private final String exceptionId;

    public GranaryException(ErrorCode errorCode, String message) {
        this(errorCode, message, Map.of(), null);
    }

    public GranaryException(ErrorCode errorCode, String message, Throwable cause) {
        this(errorCode, message, Map.of(), cause);
    }

    public GranaryException(ErrorCode errorCode, String message, Map<String, Object> details, Throwable cause) {
        this(errorCode, message, details, cause, null);
    }

    private GranaryException(ErrorCode errorCode, String message, Map<String, Object> details, Throwable cause,
            String exceptionId) {
        super(message, cause);
        this.errorCode = errorCode;
        this.details = Map.copyOf(details);
        this.exceptionId = exceptionId;
    }

    /**
     * A failure that was already reported under {@code exceptionId} (a failed job's error, answered by a call
     * that waited for the job): the client gets the same id, which the job's log line carries.
     */
    public static GranaryException reported(ErrorCode errorCode, String message, String exceptionId) {
        return new GranaryException(errorCode, message, Map.of(), null, exceptionId);
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** The id under which this failure was already reported, or null when it is new. */
    public String exceptionId() {
        return exceptionId;
    }

    public static GranaryException validation(String message) {
        return new GranaryException(ErrorCode.VALIDATION, message);
    }

    public static GranaryException accessDenied(String message) {
        return new GranaryException(ErrorCode.ACCESS_DENIED, message);
    }
}
