package io.granary.core.csv;

import io.granary.core.error.GranaryException;

/**
 * How a CSV file is written: one-character delimiter and enclosure, and an optional escape
 * character (empty = quotes are escaped by doubling them, as RFC 4180 says).
 */
public record CsvDialect(char delimiter, char enclosure, Character escapedBy) {

    public static final CsvDialect RFC = new CsvDialect(',', '"', null);

    /** From API parameters; null or empty values take the RFC 4180 defaults. */
    public static CsvDialect of(String delimiter, String enclosure, String escapedBy) {
        char d = single("delimiter", delimiter, ',');
        char e = single("enclosure", enclosure, '"');
        Character x = escapedBy == null || escapedBy.isEmpty() ? null : single("escapedBy", escapedBy, '\\');
        if (d == e) {
            throw GranaryException.validation("Invalid request: delimiter and enclosure must differ.");
        }
        return new CsvDialect(d, e, x);
    }

    private static char single(String name, String value, char fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        String v = value.equals("\\t") ? "\t" : value;
        if (v.length() != 1) {
            throw GranaryException.validation("Invalid request: " + name + ": \"" + value
                    + "\" must be a single character.");
        }
        return v.charAt(0);
    }
}
