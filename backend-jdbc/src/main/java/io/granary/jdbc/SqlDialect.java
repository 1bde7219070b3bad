package io.granary.jdbc;

import java.time.Instant;

/**
 * Where SQL engines differ in the SQL Granary generates for them. The defaults are standard SQL; an engine
 * overrides only what it spells differently.
 */
public interface SqlDialect {

    /** A quoted identifier: {@code "a""b"}. */
    default String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A string literal: {@code 'it''s'}. */
    default String stringLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A literal of the type the hidden {@code _timestamp} column has. */
    String timestampLiteral(Instant t);

    /** A bind parameter of the type of {@code _timestamp}, e.g. {@code ?::TIMESTAMP}. */
    String timestampParameter();

    /** The value bound to {@link #timestampParameter()} for {@code t}. */
    Object timestampValue(Instant t);

    /** Refuses a filter value the engine cannot compare (e.g. a NUL character); the default accepts all. */
    default void checkValue(String column, String value) {
    }
}
