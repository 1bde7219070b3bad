package io.granary.core.port;

import java.util.LinkedHashMap;
import java.util.Map;

/** The values of {@link Setting}s by name, as the caller resolved them (flag > environment > default). */
public final class Settings {

    private static final Settings EMPTY = new Settings(Map.of());

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = values;
    }

    public static Settings empty() {
        return EMPTY;
    }

    /** A copy with {@code name} set to {@code value} (null or blank removes it). */
    public Settings with(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        if (value == null || value.isBlank()) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return new Settings(Map.copyOf(copy));
    }

    /** The value, or null when none was given (blank counts as none). */
    public String get(String name) {
        return values.get(name);
    }

    public String get(String name, String fallback) {
        String v = values.get(name);
        return v == null ? fallback : v;
    }

    @Override
    public String toString() {
        return "Settings" + values.keySet();
    }
}
