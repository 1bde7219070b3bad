package io.granary.core.model;

import java.time.Instant;

/**
 * One metadata entry on a table (or, with {@code column}, on one of its columns): a {@code key}/{@code value}
 * written by a {@code provider} (a component id, or {@code user}). A key is unique per object, column and provider.
 */
public record Metadata(long id, String objectId, String column, String provider, String key, String value,
        Instant timestamp) {
}
