package io.granary.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * One real PostgreSQL server per test JVM (binaries from Maven Central via zonky), and a fresh empty
 * database per caller. PostgreSQL refuses to run as root, and CI runs as root: then the binaries are
 * unpacked here, with {@code initdb} and {@code pg_ctl} wrapped to drop to {@code nobody}.
 */
public final class TestPostgres {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    /** A new, empty database on the shared test server. */
    public static PostgresConfig newDatabase() {
        EmbeddedPostgres pg = server();
        String name = "granary_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        return new PostgresConfig("jdbc:postgresql://localhost:" + pg.getPort() + "/" + name, "postgres", "", 10);
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "300")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
                if ("root".equals(System.getProperty("user.name"))) {
                    builder.setOverrideWorkingDirectory(unpackForNobody().toFile());
                }
                server = builder.start();
                requirePasswords(server);
                EmbeddedPostgres started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
        }
        return server;
    }

    /**
     * zonky's server trusts every login; a workspace's password must be checked for real, so workspace roles
     * ({@code granary_<oid>_ws_<id>}, a regular expression pg_hba.conf takes since PostgreSQL 16) log in with SCRAM.
     * Every other role keeps zonky's trust, as the other tests expect.
     */
    private static void requirePasswords(EmbeddedPostgres pg) {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            String hba;
            try (var rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            String workspaces = "/^granary_[0-9]+_ws_[0-9]+$";
            Files.writeString(Path.of(hba), "local all " + workspaces + " scram-sha-256\n"
                    + "host  all " + workspaces + " 127.0.0.1/32 scram-sha-256\n"
                    + "host  all " + workspaces + " ::1/128 scram-sha-256\n"
                    + "local all all trust\n"
                    + "host  all all 127.0.0.1/32 trust\n"
                    + "host  all all ::1/128 trust\n");
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot make the test server check passwords", e);
        }
    }

    // zonky looks for PG-<md5 of the archive>/.exists under its working directory and then uses it as is
    private static Path unpackForNobody() throws IOException {
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "granary-embedded-pg");
        Files.createDirectories(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        String md5 = md5(ARCHIVE);
        Path dir = work.resolve("PG-" + md5);
        if (Files.exists(dir.resolve(".exists"))) {
            return work;
        }
        Path partial = work.resolve("partial-" + ProcessHandle.current().pid());
        Files.createDirectories(partial);
        try (InputStream in = resource(ARCHIVE);
                TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = partial.resolve(e.getName()).normalize();
                if (!target.startsWith(partial)) {
                    throw new IOException("bad archive entry " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    if ((e.getMode() & 0100) != 0) {
                        target.toFile().setExecutable(true, false);
                    }
                }
            }
        }
        wrap(partial.resolve("bin"), "initdb", true);
        wrap(partial.resolve("bin"), "pg_ctl", false);
        Files.writeString(partial.resolve(".exists"), "");
        try {
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.exists(dir.resolve(".exists"))) {
                throw e;
            }
        }
        return work;
    }

    private static void wrap(Path bin, String name, boolean chownDataDir) throws IOException {
        Files.move(bin.resolve(name), bin.resolve(name + ".real"));
        String chown = chownDataDir ? """
                  prev=""
                  for a in "$@"; do
                    if [ "$prev" = "-D" ]; then chown -R nobody:nogroup "$a"; fi
                    prev="$a"
                  done
                """ : "";
        String script = "#!/bin/sh\n"
                + "real=\"$(dirname \"$0\")/" + name + ".real\"\n"
                + "if [ \"$(id -u)\" = 0 ]; then\n"
                + chown
                + "  exec setpriv --reuid=nobody --regid=nogroup --clear-groups \"$real\" \"$@\"\n"
                + "fi\n"
                + "exec \"$real\" \"$@\"\n";
        Path wrapper = bin.resolve(name);
        Files.writeString(wrapper, script, StandardCharsets.US_ASCII);
        wrapper.toFile().setExecutable(true, false);
    }

    private static String md5(String name) throws IOException {
        try (InputStream in = new DigestInputStream(resource(name), MessageDigest.getInstance("MD5"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = TestPostgres.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the class path");
        }
        return in;
    }
}
