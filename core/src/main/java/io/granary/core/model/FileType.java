package io.granary.core.model;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.util.Locale;

/** What an export writes ({@code fileType}): CSV slices, or Parquet where a table backend can write it. */
public enum FileType {
    CSV, PARQUET;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** As a client sends it; blank = csv. A type Granary does not know is answered like one it cannot export. */
    public static FileType parse(String text) {
        if (text == null || text.isBlank()) {
            return CSV;
        }
        for (FileType t : values()) {
            if (t.wire().equals(text)) {
                return t;
            }
        }
        throw notImplemented(text);
    }

    public static GranaryException notImplemented(String text) {
        return new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Export to \"" + text
                + "\" is not implemented yet; use fileType=csv.");
    }
}
