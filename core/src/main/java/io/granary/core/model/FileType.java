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

    /**
     * As a client sends it (exactly {@code csv} or {@code parquet}); blank = csv. Anything else is refused as Keboola's
     * validator refuses a value outside the enum: 400 {@code storage.tables.validation}.
     */
    public static FileType parse(String text) {
        if (text == null || text.isBlank()) {
            return CSV;
        }
        for (FileType t : values()) {
            if (t.wire().equals(text)) {
                return t;
            }
        }
        throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid request:\n - fileType: \"The value you selected is not a valid choice.\""
                + " Choose csv or parquet.");
    }

    /** For a known file type a table backend cannot export: 501. */
    public static GranaryException notImplemented(String text) {
        return new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Export to \"" + text
                + "\" is not implemented yet; use fileType=csv.");
    }
}
