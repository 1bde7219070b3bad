package io.granary.trino;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The two files of a Trino security directory that Granary maintains and Trino re-reads ({@code file.refresh-period},
 * {@code security.refresh-period}), so that a workspace login appears and disappears without a restart:
 * <ul>
 * <li>{@value #PASSWORDS}: Trino's file password authenticator, {@code user:hash} per line. Granary writes PBKDF2
 * hashes ({@code iterations:salt:hash} in hex, Trino's PBKDF2 format, HMAC-SHA1 as Trino checks it) computed by the
 * JDK: no dependency, and for 32 random characters the choice of key-stretching function adds nothing. Lines of other
 * users (Granary's own, an operator's) are kept as they are.</li>
 * <li>{@value #RULES}: Trino's file-based access control, generated whole from {@value #STATE} (the workspace users,
 * their schema and whether they may read Storage): Granary's user may do everything (and act as a workspace user),
 * {@code system} is readable (JDBC metadata, one's own queries), a workspace user may use its own schema in its
 * catalog and, with {@code readOnlyStorageAccess}, read the buckets' schemas; nothing else.</li>
 * </ul>
 * Every change is a read-modify-write under a file lock ({@value #LOCK}, so several nodes may share the directory),
 * written to a temporary file and renamed into place: Trino never reads a half-written file.
 */
final class TrinoAccessFiles {

    static final String PASSWORDS = "password.db";
    static final String RULES = "rules.json";
    static final String STATE = "workspaces.json";
    static final String LOCK = ".lock";
    /** Iterations of PBKDF2: Trino's minimum is 1000; every new connection of a workspace checks one hash. */
    static final int ITERATIONS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    // a file lock is per process: threads of one JVM (and several instances on one directory) queue here first
    private static final Object IN_PROCESS = new Object();

    /** A workspace user: its catalog and schema (Trino names) and whether it may read Storage's schemas. */
    record Grant(String catalog, String schema, boolean readOnlyStorageAccess) {
    }

    private final Path dir;
    private final String granaryUser;

    TrinoAccessFiles(Path dir, String granaryUser) {
        this.dir = dir;
        this.granaryUser = granaryUser;
    }

    Path dir() {
        return dir;
    }

    /**
     * Makes the directory usable by a Trino starting on it: both files exist, {@code granaryUser} has {@code password}
     * (when given), the rules are generated. Called by {@link LocalTrino} before it starts Trino.
     */
    void seed(String password) {
        change(p -> {
            if (password != null) {
                p.put(granaryUser, hash(password));
            }
        }, s -> { });
    }

    /** Adds or replaces workspace user {@code user} with {@code password} and {@code grant}. */
    void put(String user, String password, Grant grant) {
        String hash = hash(password);
        change(p -> p.put(user, hash), s -> s.put(user, grant));
    }

    /** Gives {@code user} a new password; false when it is not a user of these files. */
    boolean setPassword(String user, String password) {
        String hash = hash(password);
        boolean[] found = {false};
        change(p -> {
            if (p.containsKey(user)) {
                p.put(user, hash);
                found[0] = true;
            }
        }, s -> { });
        return found[0];
    }

    /** Removes {@code user}'s password and rules (nothing when there are none). */
    void remove(String user) {
        change(p -> p.remove(user), s -> s.remove(user));
    }

    /**
     * Sets a password line for {@code user} without rules of its own (the probe user, whose login tells that Trino
     * read the file, or a user an operator or a test adds).
     */
    void putPassword(String user, String password) {
        String hash = hash(password);
        change(p -> p.put(user, hash), s -> { });
    }

    /** Whether {@code user} has a line in the password file. */
    boolean has(String user) {
        return readPasswords().containsKey(user);
    }

    // ---- the read-modify-write

    private void change(Consumer<Map<String, String>> passwords, Consumer<Map<String, Grant>> state) {
        synchronized (IN_PROCESS) {
            changeLocked(passwords, state);
        }
    }

    private void changeLocked(Consumer<Map<String, String>> passwords, Consumer<Map<String, Grant>> state) {
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = ch.lock()) {
                Map<String, Grant> grants = readState();
                state.accept(grants);
                Map<String, String> lines = readPasswords();
                passwords.accept(lines);
                write(STATE, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(grants));
                write(RULES, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rules(grants)));
                StringBuilder b = new StringBuilder();
                lines.forEach((u, h) -> b.append(u).append(':').append(h).append('\n'));
                write(PASSWORDS, b.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot update the Trino security files in " + dir + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Grant> readState() throws IOException {
        Path f = dir.resolve(STATE);
        Map<String, Grant> out = new LinkedHashMap<>();
        if (Files.exists(f)) {
            JSON.readTree(f.toFile()).fields().forEachRemaining(e -> out.put(e.getKey(), new Grant(
                    e.getValue().path("catalog").asText(), e.getValue().path("schema").asText(),
                    e.getValue().path("readOnlyStorageAccess").asBoolean())));
        }
        return out;
    }

    private Map<String, String> readPasswords() {
        Path f = dir.resolve(PASSWORDS);
        Map<String, String> out = new LinkedHashMap<>();
        try {
            if (Files.exists(f)) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        out.put(line.substring(0, colon), line.substring(colon + 1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + f + ": " + e.getMessage(), e);
        }
        return out;
    }

    private void write(String name, String content) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        // hashes and rules are for Trino (the same account, or its group on a shared volume), nobody else
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r-----"));
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Trino's file-based access control rules for Granary's user and {@code grants}. */
    ObjectNode rules(Map<String, Grant> grants) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String granary = regex(granaryUser);
        ObjectNode root = f.objectNode();
        ArrayNode catalogs = root.putArray("catalogs");
        catalogs.addObject().put("user", granary).put("allow", "owner");
        ArrayNode schemas = root.putArray("schemas");
        schemas.addObject().put("user", granary).put("owner", true);
        ArrayNode tables = root.putArray("tables");
        tables.addObject().put("user", granary).set("privileges", privileges(f, "SELECT", "INSERT", "DELETE", "UPDATE",
                "OWNERSHIP", "GRANT_SELECT"));
        List<String> users = new ArrayList<>();
        grants.forEach((user, g) -> {
            users.add(regex(user));
            catalogs.addObject().put("user", regex(user)).put("catalog", regex(g.catalog())).put("allow", "all");
            tables.addObject().put("user", regex(user)).put("catalog", regex(g.catalog())).put("schema", regex(g.schema()))
                    .set("privileges", privileges(f, "SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP"));
            if (g.readOnlyStorageAccess()) {
                // a bucket's schema always holds "~" (bucket ids hold a "."; TrinoNames), a workspace's never does
                tables.addObject().put("user", regex(user)).put("catalog", regex(g.catalog())).put("schema", ".*~.*")
                        .set("privileges", privileges(f, "SELECT"));
            }
        });
        // JDBC clients read their metadata from system.jdbc; system.runtime.queries shows a user its own queries only
        catalogs.addObject().put("catalog", "system").put("allow", "read-only");
        tables.addObject().put("catalog", "system").put("schema", "jdbc|metadata|runtime|information_schema")
                .set("privileges", privileges(f, "SELECT"));
        catalogs.addObject().put("allow", "none");
        ArrayNode queries = root.putArray("queries");
        queries.addObject().put("user", granary).set("allow", privileges(f, "execute", "kill", "view"));
        queries.addObject().set("allow", privileges(f, "execute"));
        ArrayNode impersonation = root.putArray("impersonation");
        if (!users.isEmpty()) {
            impersonation.addObject().put("original_user", granary).put("new_user", String.join("|", users))
                    .put("allow", true);
        }
        root.putArray("procedures").addObject().put("user", granary).set("privileges", privileges(f, "EXECUTE"));
        return root;
    }

    private static ArrayNode privileges(JsonNodeFactory f, String... names) {
        ArrayNode a = f.arrayNode();
        for (String n : names) {
            a.add(n);
        }
        return a;
    }

    /** A name as a regular expression matching exactly it (Trino's rules match names by regex). */
    static String regex(String name) {
        return name.replaceAll("[^A-Za-z0-9_]", "\\\\$0");
    }

    /** {@code iterations:salt:hash}, hex, PBKDF2 with HMAC-SHA1 as Trino's file authenticator checks it. */
    static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, 256);
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA1").generateSecret(spec).getEncoded();
            return ITERATIONS + ":" + HexFormat.of().formatHex(salt) + ":" + HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA1 is part of every JRE", e);
        }
    }
}
