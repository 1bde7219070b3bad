package io.granary.core.model;

import java.time.Instant;
import java.util.List;

/**
 * A file list filter. {@code tags}: files having any of them. {@code creatorTokenId}: only that
 * token's uploads (null = all). {@code includeExpiredBefore}: files expired at this instant are left
 * out unless {@code showExpired}.
 */
public record FileQuery(
        int limit,
        int offset,
        Long sinceId,
        Long maxId,
        List<String> tags,
        String runId,
        String nameContains,
        Long creatorTokenId,
        boolean showExpired,
        Instant now) {

    public FileQuery {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
