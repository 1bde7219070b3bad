package io.granary.core.model;

import java.util.Locale;

/** A token's right on one bucket. Each level includes the ones before it. */
public enum Permission {
    READ, WRITE, MANAGE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean allows(Permission needed) {
        return compareTo(needed) >= 0;
    }

    /** Parses {@code read|write|manage}; returns null for anything else. */
    public static Permission parse(String s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "read" -> READ;
            case "write" -> WRITE;
            case "manage" -> MANAGE;
            default -> null;
        };
    }
}
