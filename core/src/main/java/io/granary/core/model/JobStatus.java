package io.granary.core.model;

import java.util.Locale;

/** Keboola job states. A job moves waiting → processing → success | error, never back (except recovery). */
public enum JobStatus {
    WAITING, PROCESSING, SUCCESS, ERROR;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinished() {
        return this == SUCCESS || this == ERROR;
    }

    public static JobStatus parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
