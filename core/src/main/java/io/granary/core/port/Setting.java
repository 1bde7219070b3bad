package io.granary.core.port;

import java.util.Locale;

/**
 * A setting a store needs, offered on {@code granary server} as {@code --<name>} and read from the
 * environment as {@code GRANARY_<NAME>} (flag > environment > {@code defaultValue}; null = none). A
 * {@code secret} is never logged or shown; its description should point to the environment variable.
 */
public record Setting(String name, String description, String defaultValue, boolean secret) {

    public Setting {
        if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("A setting name is lower-case words joined by '-': " + name);
        }
    }

    public static Setting of(String name, String description) {
        return new Setting(name, description, null, false);
    }

    public String flag() {
        return "--" + name;
    }

    public String environmentVariable() {
        return "GRANARY_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
