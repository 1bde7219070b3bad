package io.granary.core.model;

/** The {@code error} object of a failed job. */
public record JobError(String code, String message, String exceptionId) {
}
