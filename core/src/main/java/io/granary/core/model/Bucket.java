package io.granary.core.model;

import java.time.Instant;

/** A bucket: {@code id} is {@code stage + ".c-" + name-without-prefix}, e.g. {@code in.c-main}. */
public record Bucket(
        String id,
        String name,
        String displayName,
        String stage,
        String description,
        String backend,
        Instant created) {
}
