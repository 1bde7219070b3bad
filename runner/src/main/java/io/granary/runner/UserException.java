package io.granary.runner;

/** A user error (exit code 1 in the common interface): bad configuration, bad output, a failed load. */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
