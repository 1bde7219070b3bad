package io.granary.server.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Keboola's time format: ISO 8601 with a numeric offset, e.g. {@code 2017-02-13T12:51:48+0000}. */
public final class Times {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CREDENTIALS_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    public static String format(Instant t) {
        return t == null ? null : FORMAT.format(t);
    }

    /** AWS STS style ({@code 2016-06-22T20:44:35+00:00}), as Keboola returns credential expiry. */
    public static String formatCredentials(Instant t) {
        return t == null ? null : CREDENTIALS_FORMAT.format(t);
    }
}
