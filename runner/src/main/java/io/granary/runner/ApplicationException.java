package io.granary.runner;

/** An application error: the component crashed (exit code other than 0 and 1) or the runner itself failed. */
public class ApplicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ApplicationException(String message) {
        super(message);
    }

    public ApplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
