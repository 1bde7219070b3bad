package io.granary.trino;

/** Trino SQL text: quoted identifiers and literals, and the statements Granary runs. */
public final class TrinoSql {

    private TrinoSql() {
    }

    /** A quoted identifier ({@code "} doubled). Trino lower-cases it all the same: see {@link TrinoNames}. */
    public static String id(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A string literal ({@code '} doubled). */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
