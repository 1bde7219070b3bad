package io.granary.postgres;

import io.granary.core.model.TableRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * PostgreSQL names for Storage names. PostgreSQL cuts identifiers at 63 bytes, while a bucket id,
 * table name or column name may be longer (and multibyte). A name that fits is used as is; a longer one
 * becomes its first bytes (whole characters, at most 50 bytes), {@code ~} and 12 hex digits of its
 * SHA-256: deterministic, so no lookup is needed to find a table, and no valid Storage name contains
 * {@code ~}, so it cannot clash with a name that is used as is. A shortened column carries its full
 * name as its column comment, which is how {@link #logical} reads it back.
 */
final class PgNames {

    /** PostgreSQL's NAMEDATALEN - 1. */
    static final int MAX_BYTES = 63;
    private static final int PREFIX_BYTES = 50;
    private static final int HASH_HEX = 12;

    private PgNames() {
    }

    /** The PostgreSQL name for a Storage name. */
    static String physical(String name) {
        if (utf8Length(name) <= MAX_BYTES) {
            return name;
        }
        StringBuilder prefix = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int len = utf8Length(new String(Character.toChars(cp)));
            if (bytes + len > PREFIX_BYTES) {
                break;
            }
            prefix.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return prefix + "~" + hash(name);
    }

    /** Schema for a bucket: PostgreSQL reserves names starting with {@code pg_}. */
    static String schema(String bucketId) {
        return physical(bucketId.startsWith("pg_") ? "_" + bucketId : bucketId);
    }

    /** The Storage name of a column, given its PostgreSQL name and comment. */
    static String logical(String physical, String comment) {
        return comment != null && physical(comment).equals(physical) ? comment : physical;
    }

    static boolean shortened(String name) {
        return !physical(name).equals(name);
    }

    /** {@code "schema"."table"}. */
    static String table(TableRef table) {
        return q(schema(table.bucketId())) + "." + q(physical(table.name()));
    }

    /** A quoted identifier. */
    static String q(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** Quoted identifiers joined by {@code , }. */
    static String list(List<String> identifiers) {
        StringBuilder b = new StringBuilder();
        for (String id : identifiers) {
            b.append(b.length() == 0 ? "" : ", ").append(q(id));
        }
        return b.toString();
    }

    /**
     * A string literal that means the same whatever {@code standard_conforming_strings} is: COPY takes no
     * bind parameters, so export filters are written into the statement.
     */
    static String lit(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a PostgreSQL string cannot contain NUL");
        }
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String hash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
