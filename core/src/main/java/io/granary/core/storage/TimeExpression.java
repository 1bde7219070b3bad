package io.granary.core.storage;

import io.granary.core.error.GranaryException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as Keboola's clients give one ({@code changedSince}, {@code changedUntil}): ISO 8601, Unix
 * seconds, or relative to now ({@code -2 days}, {@code -1 hour}, {@code 3 weeks ago}). Resolved once, when a
 * request is accepted, so a job runs with the absolute time the client meant.
 */
public final class TimeExpression {

    private static final Pattern RELATIVE = Pattern.compile("([-+]?\\d+)\\s*(second|minute|hour|day|week)s?(\\s+ago)?",
            Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter OFFSET_NO_COLON = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");

    private TimeExpression() {
    }

    /** The absolute time {@code text} means at {@code now}; null when blank; a 400 naming {@code parameter} otherwise. */
    public static Instant resolve(String parameter, String text, Instant now) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String v = text.strip();
        try {
            if (v.matches("-?\\d{9,}")) {
                return Instant.ofEpochSecond(Long.parseLong(v));
            }
            Matcher m = RELATIVE.matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                if (m.group(3) != null) {
                    n = -Math.abs(n);
                }
                Duration unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "second" -> Duration.ofSeconds(1);
                    case "minute" -> Duration.ofMinutes(1);
                    case "hour" -> Duration.ofHours(1);
                    case "day" -> Duration.ofDays(1);
                    default -> Duration.ofDays(7);
                };
                return now.plus(unit.multipliedBy(n));
            }
            try {
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e) {
                return OffsetDateTime.parse(v, OFFSET_NO_COLON).toInstant();
            }
        } catch (RuntimeException e) {
            throw GranaryException.validation("Invalid request: " + parameter + ": \"" + text
                    + "\" is not a time: use ISO 8601, Unix seconds or a relative time such as \"-1 days\".");
        }
    }
}
