package io.granary.core.csv;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Keboola's column-name rules: sanitise header names, refuse what cannot be a column. */
public final class ColumnNames {

    public static final int MAX_LENGTH = 64;
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^A-Za-z0-9_-]");
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?");

    private ColumnNames() {
    }

    /** Replaces every character other than letters, digits, {@code _} and {@code -} with {@code _}. */
    public static String sanitize(String raw) {
        return NOT_ALLOWED.matcher(raw.strip()).replaceAll("_");
    }

    /** Sanitises a header and checks it: no empty, invalid, over-long, reserved or duplicate names. */
    public static List<String> sanitizeHeader(List<String> header) {
        if (header.isEmpty() || (header.size() == 1 && header.get(0).isBlank())) {
            throw new GranaryException(ErrorCode.NO_COLUMNS, "No columns found in the CSV file header.");
        }
        List<String> out = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String raw = header.get(i);
            if (raw.isBlank()) {
                throw new GranaryException(ErrorCode.INVALID_COLUMN_NAME,
                        "Column " + (i + 1) + " of the CSV header has an empty name.");
            }
            String name = sanitize(raw);
            check(name, raw);
            String first = seen.putIfAbsent(name, raw);
            if (first != null) {
                String cause = first.equals(raw) ? "" : " (after sanitising \"" + (first.equals(name) ? raw : first)
                        + "\"" + (first.equals(name) || raw.equals(name) ? "" : " and \"" + raw + "\"") + ")";
                throw new GranaryException(ErrorCode.INVALID_COLUMN_NAME, "Column name \"" + name + "\" is duplicated"
                        + cause + ".");
            }
            out.add(name);
        }
        return out;
    }

    /** Checks one column name as given (no sanitising). */
    public static void check(String name, String asGiven) {
        if (name.equals("_timestamp")) {
            throw new GranaryException(ErrorCode.INVALID_COLUMN_NAME,
                    "\"_timestamp\" is a system column used by Storage and cannot be imported.");
        }
        if (name.length() > MAX_LENGTH) {
            throw new GranaryException(ErrorCode.INVALID_COLUMN_NAME,
                    "Column name cannot be longer than " + MAX_LENGTH + " characters: \"" + asGiven + "\".");
        }
        if (!VALID.matcher(name).matches()) {
            throw new GranaryException(ErrorCode.INVALID_COLUMN_NAME, "\"" + asGiven
                    + "\" contains not allowed characters. Only alphanumeric characters dash and underscores are allowed,"
                    + " and a name cannot start or end with a dash or underscore.");
        }
    }
}
