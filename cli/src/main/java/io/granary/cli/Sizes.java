package io.granary.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses what people type: sizes ({@code 64MB}) and short relative times ({@code -1d}). */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern SHORT_TIME = Pattern.compile("([-+]?\\d+)\\s*([smhdw])");

    private Sizes() {
    }

    static long parse(String size) {
        Matcher m = SIZE.matcher(size.strip());
        if (!m.matches()) {
            throw new Connection.UsageException("\"" + size + "\" is not a size; use e.g. 64MB or 1GB.");
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        return n << shift;
    }

    /** {@code -1d} → {@code -1 days}; anything else passes through for the server to read. */
    static String relativeTime(String value) {
        Matcher m = SHORT_TIME.matcher(value.strip());
        if (!m.matches()) {
            return value;
        }
        String unit = switch (m.group(2)) {
            case "s" -> "seconds";
            case "m" -> "minutes";
            case "h" -> "hours";
            case "d" -> "days";
            default -> "weeks";
        };
        return m.group(1) + " " + unit;
    }
}
