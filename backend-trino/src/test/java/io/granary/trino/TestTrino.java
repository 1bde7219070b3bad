package io.granary.trino;

import io.granary.core.port.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One local Trino per test JVM, started on first use (17–33 s, about 2 GiB) and stopped by a shutdown
 * hook; every Trino test in the JVM shares it (use distinct schemas or catalogs). Without a Java 24+
 * on the machine each test that asks for it FAILS with a message saying so: Trino tests never skip.
 * Set {@code -Dgranary.trino.java=<jdk home>} (or {@code GRANARY_TRINO_JAVA}) to choose the Java.
 * It runs with password logins ({@link LocalTrino.Security}: HTTPS with a self-signed certificate, users in a security
 * directory), as workspaces need: every connection is HTTPS with a password, Granary's user has {@link #PASSWORD}.
 * For a quick edit-and-run loop, {@code -Dgranary.test.trino.url=http://127.0.0.1:8081} points the tests at a
 * Trino that already runs ({@code ./granary trino}, without password logins) instead of starting one; the workspace
 * tests need the local one.
 */
public final class TestTrino {

    /** Granary's password on the shared server. */
    public static final String PASSWORD = "granary-test-password-0123456789";

    private static final AtomicInteger CATALOGS = new AtomicInteger();
    private static LocalTrino server;
    private static RuntimeException failure;

    private TestTrino() {
    }

    /** The shared server, started if needed. */
    public static synchronized LocalTrino server() {
        if (failure != null) {
            throw failure;
        }
        if (server == null) {
            try {
                server = start();
            } catch (TrinoJava.NotFound e) {
                failure = new IllegalStateException("The Trino tests need a Java " + TrinoJava.REQUIRED
                        + "+ to run the Trino server, and this machine has none: " + e.getMessage(), e);
                throw failure;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return server;
    }

    /** The shared server's URL: {@code -Dgranary.test.trino.url} if set, else the local one (started if needed). */
    public static URI url() {
        String external = System.getProperty("granary.test.trino.url");
        return external != null && !external.isBlank() ? URI.create(external.strip()) : server().url();
    }

    /** A new JDBC connection to the shared server as user {@code granary}. */
    public static Connection connect() throws SQLException {
        return connect(LocalTrino.GRANARY_USER);
    }

    /**
     * A new JDBC connection to the shared server as {@code user}; a user other than Granary's gets a password line (no
     * rules of its own) first, as an operator would add one.
     */
    public static Connection connect(String user) throws SQLException {
        if (external()) {
            Properties p = new Properties();
            p.setProperty("user", user);
            URI url = url();
            return DriverManager.getConnection("jdbc:trino://" + url.getHost() + ":" + url.getPort(), p);
        }
        String password = PASSWORD;
        if (!user.equals(LocalTrino.GRANARY_USER)) {
            password = PASSWORD + "-" + user;
            TrinoAccessFiles files = new TrinoAccessFiles(server().settings().security().dir(), LocalTrino.GRANARY_USER);
            if (!files.has(user)) {
                files.putPassword(user, password);
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (true) {
                    try (Connection c = connect(user, password); var s = c.createStatement()) {
                        s.execute("SELECT 1");
                        break;
                    } catch (SQLException notYet) {
                        if (System.nanoTime() > deadline) {
                            throw notYet;
                        }
                        sleep(200);
                    }
                }
            }
        }
        return connect(user, password);
    }

    /** A new JDBC connection to the shared (local) server as {@code user} with {@code password}, over HTTPS. */
    public static Connection connect(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("SSL", "true");
        p.setProperty("SSLTrustStorePath", server().certificate().toString());
        return DriverManager.getConnection(server().jdbcUrl(), p);
    }

    private static boolean external() {
        String external = System.getProperty("granary.test.trino.url");
        return external != null && !external.isBlank();
    }

    /** The {@code granary server} flags that reach the shared server as Granary's user (no security directory). */
    public static java.util.List<String> serverArgs() {
        if (external()) {
            return java.util.List.of("--trino-url", url().toString());
        }
        return java.util.List.of("--trino-url", url().toString(), "--trino-password", PASSWORD, "--trino-tls-cert",
                server().certificate().toString());
    }

    /** The security directory Granary maintains for the shared server (null for an external one). */
    public static Path securityDir() {
        return external() ? null : server().settings().security().dir();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A Trino catalog name no other test (in this JVM or another one on the same Trino) uses: a catalog reaches
     * one PostgreSQL database and one S3 endpoint, and every test server has its own.
     */
    public static String newCatalogName() {
        return "granary_" + ProcessHandle.current().pid() + "_" + CATALOGS.incrementAndGet();
    }

    /** {@code base} (Granary's PostgreSQL settings) plus what {@code --backend trino} needs for this Trino. */
    public static Settings settings(Settings base, String catalog) {
        Settings s = base.with(TrinoSettings.URL, url().toString()).with(TrinoSettings.CATALOG, catalog)
                .with(TrinoSettings.MAINTENANCE, "0");
        if (!external()) {
            s = s.with(TrinoSettings.PASSWORD, PASSWORD).with(TrinoSettings.TLS_CERT, server().certificate().toString())
                    .with(TrinoSettings.SECURITY_DIR, securityDir().toString());
        }
        return s;
    }

    /** Drops the catalog {@code catalog} and its staging catalog, if they exist (a test server is done). */
    public static void dropCatalogs(String catalog) {
        try (Connection c = connect()) {
            for (String name : new String[] {catalog, catalog + "_staging"}) {
                if (TrinoCatalogSetup.catalogs(c).contains(name)) {
                    TrinoCatalogSetup.drop(c, name);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop the test catalogs " + catalog + ": " + e.getMessage(), e);
        }
    }

    private static LocalTrino start() {
        TrinoJava.Found java = TrinoJava.find(System.getProperty("granary.trino.java"), System.getenv());
        Path home = TrinoDistribution.home(null, System.getenv(), line -> System.err.println("TestTrino: " + line));
        try {
            Path data = Files.createTempDirectory("granary-test-trino-");
            LocalTrino trino = LocalTrino.start(new LocalTrino.Settings(home, java, data, "127.0.0.1", freePort(), 2048,
                    new LocalTrino.Security(data.resolve("security"), freePort(), PASSWORD)), Duration.ofMinutes(3));
            System.err.printf("TestTrino: Trino %s on %s started in %.1f s (Java %d, pid %d)%n", TrinoDistribution.version(),
                    trino.url(), trino.startSeconds(), java.version(), trino.pid());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                trino.stop();
                try {
                    TrinoDistribution.deleteTree(data);
                } catch (IOException ignored) {
                    // the JVM is exiting; a temp directory is left behind
                }
            }, "test-trino-stop"));
            return trino;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
