package io.granary.trino;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Trino names for Storage names (buckets, tables, columns). Trino lower-cases every identifier, quoted or
 * not, while Storage names are case-sensitive and may hold characters that are awkward in SQL and in
 * S3 paths (a table's location is derived from its schema and name). So a name made only of
 * {@code [a-z0-9_]} is used as is — the common case stays readable for SQL users — and any other becomes
 * that name lower-cased with other characters replaced by {@code _}, then {@code ~} and the list of
 * what was changed: {@code <position>u} for an upper-case letter, {@code <position>x<hex code point>_}
 * for any other character. {@code CustomerId} is {@code customerid~0u8u}, {@code in.c-main} is
 * {@code in_c_main~2x2e_4x2d_}. The mapping is deterministic and reversible ({@link #logical}), so no
 * lookup is needed, and no name used as is contains {@code ~}, so the two kinds never clash.
 *
 * <p>Schemas and tables are never read back, and Iceberg's JDBC catalog keeps their names in
 * {@code VARCHAR(255)} columns (a table's directory name in the store is bounded too), so for them a form
 * longer than {@value #MAX_OBJECT_NAME} characters becomes its first 100 characters, {@code ~h} and 16 hex
 * digits of the name's SHA-256 ({@link #object}): still unique, no longer reversible.
 */
public final class TrinoNames {

    /** The longest schema or table name used as {@link #physical} makes it. */
    static final int MAX_OBJECT_NAME = 120;

    private TrinoNames() {
    }

    /** The Trino name of a bucket's schema or a table: {@link #physical}, or a hashed form when that is long. */
    public static String object(String name) {
        String physical = physical(name);
        if (physical.length() <= MAX_OBJECT_NAME) {
            return physical;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(name.getBytes(StandardCharsets.UTF_8));
            return physical.substring(0, 100) + "~h" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** The Trino identifier (unquoted form) for a Storage name. */
    public static String physical(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a name cannot be empty");
        }
        StringBuilder base = new StringBuilder(name.length());
        StringBuilder changes = new StringBuilder();
        int position = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (safe(cp)) {
                base.append((char) cp);
            } else if (cp >= 'A' && cp <= 'Z') {
                base.append((char) Character.toLowerCase(cp));
                changes.append(position).append('u');
            } else {
                base.append('_');
                changes.append(position).append('x').append(Integer.toHexString(cp)).append('_');
            }
            position++;
            i += Character.charCount(cp);
        }
        return changes.isEmpty() ? base.toString() : base + "~" + changes;
    }

    /** The Storage name of a Trino identifier made by {@link #physical}. */
    public static String logical(String physical) {
        int tilde = physical.indexOf('~');
        if (tilde < 0) {
            return physical;
        }
        int[] cps = physical.substring(0, tilde).codePoints().toArray();
        String changes = physical.substring(tilde + 1);
        int i = 0;
        while (i < changes.length()) {
            int start = i;
            while (i < changes.length() && Character.isDigit(changes.charAt(i))) {
                i++;
            }
            if (start == i || i >= changes.length()) {
                throw new IllegalArgumentException("not a Granary name: " + physical);
            }
            int position = Integer.parseInt(changes.substring(start, i));
            char kind = changes.charAt(i++);
            if (kind == 'u') {
                cps[position] = Character.toUpperCase(cps[position]);
            } else if (kind == 'x') {
                int end = changes.indexOf('_', i);
                if (end < 0) {
                    throw new IllegalArgumentException("not a Granary name: " + physical);
                }
                cps[position] = Integer.parseInt(changes.substring(i, end), 16);
                i = end + 1;
            } else {
                throw new IllegalArgumentException("not a Granary name: " + physical);
            }
        }
        return new String(cps, 0, cps.length);
    }

    /** A quoted qualified name {@code "catalog"."schema"."table"} for a bucket and table. */
    public static String table(String catalog, String bucketId, String tableName) {
        return TrinoSql.id(catalog) + "." + TrinoSql.id(object(bucketId)) + "." + TrinoSql.id(object(tableName));
    }

    /** The quoted Trino identifier for a Storage column. */
    public static String column(String name) {
        return TrinoSql.id(physical(name));
    }

    private static boolean safe(int cp) {
        return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_';
    }
}
