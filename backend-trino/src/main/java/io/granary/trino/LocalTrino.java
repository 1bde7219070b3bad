package io.granary.trino;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Trino (coordinator and worker in one process) for development and tests, started as a
 * child process on its own Java 24+. Its configuration lives under the data directory: {@code etc/}
 * (written on every start), {@code etc/catalog/} (catalogs created at run time with {@code CREATE
 * CATALOG}, kept across restarts), {@code var/} (Trino's node data) and {@code trino.log}. No catalog is
 * configured up front: Granary creates the ones it needs (see {@link TrinoCatalogSetup}).
 */
public final class LocalTrino implements AutoCloseable {

    /**
     * How to run it. {@code heapMb}: the server's Java heap; a query may use half of it, the rest is
     * Trino's headroom (2048 MB suits a 2-core 24 GiB machine shared with Granary and PostgreSQL).
     * {@code host}: the address it listens on (it has no authentication: keep 127.0.0.1 unless the
     * network is trusted).
     */
    public record Settings(Path home, TrinoJava.Found java, Path dataDir, String host, int port, int heapMb,
            Security security) {
        public Settings {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("The Trino port must be between 1 and 65535 (got " + port + ")");
            }
            if (heapMb < 1024) {
                throw new IllegalArgumentException("Trino needs a heap of at least 1024 MB (got " + heapMb + ")");
            }
        }

        /** Without password logins: every client may claim any user (keep it on 127.0.0.1). */
        public Settings(Path home, TrinoJava.Found java, Path dataDir, String host, int port, int heapMb) {
            this(home, java, dataDir, host, port, heapMb, null);
        }
    }

    /**
     * Password logins, as workspaces need them: HTTPS on {@code httpsPort} with a self-signed certificate made at each
     * start ({@code etc/keystore.p12}; its certificate for clients in {@code etc/trino.pem}, valid for 127.0.0.1,
     * localhost and the host name), Trino's file password authenticator and file-based access control on the files
     * in {@code dir} that Granary maintains ({@link TrinoAccessFiles}, re-read every second), user {@code granary}
     * with {@code granaryPassword}. The HTTP port stays for Trino's own internal requests (signed with a secret
     * made at each start) and {@code /v1/info}; Trino refuses clients' logins over it.
     */
    public record Security(Path dir, int httpsPort, String granaryPassword) {
        public Security {
            if (httpsPort < 1 || httpsPort > 65535) {
                throw new IllegalArgumentException("The Trino HTTPS port must be between 1 and 65535 (got " + httpsPort + ")");
            }
            if (granaryPassword == null || granaryPassword.isEmpty()) {
                throw new IllegalArgumentException("Password logins need a password for user " + GRANARY_USER
                        + " (GRANARY_TRINO_PASSWORD)");
            }
        }

        @Override
        public String toString() {
            return "Security[dir=" + dir + ", httpsPort=" + httpsPort + "]";
        }
    }

    /** The certificate clients trust to reach a Trino with {@link Security} (under the data directory). */
    public static Path certificate(Path dataDir) {
        return dataDir.toAbsolutePath().normalize().resolve("etc/trino.pem");
    }

    /** The user Granary connects as; the only one that sees every query (and so the catalogs' credentials). */
    public static final String GRANARY_USER = "granary";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Settings settings;
    private final Process process;
    private final long started;
    private volatile double readySeconds = Double.NaN;

    private LocalTrino(Settings settings, Process process, long started) {
        this.settings = settings;
        this.process = process;
        this.started = started;
    }

    /** Writes the configuration, starts the server and waits until it accepts queries. */
    public static LocalTrino start(Settings settings, Duration timeout) {
        Path data = settings.dataDir().toAbsolutePath().normalize();
        long t0 = System.nanoTime();
        Process process;
        try {
            writeConfig(settings, data);
            List<String> cmd = command(settings, data);
            Path log = data.resolve("trino.log");
            process = new ProcessBuilder(cmd).directory(data.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Trino: " + e.getMessage(), e);
        }
        LocalTrino trino = new LocalTrino(settings, process, t0);
        trino.awaitReady(timeout);
        return trino;
    }

    static List<String> command(Settings s, Path data) {
        List<String> cmd = new ArrayList<>(List.of(s.java().executable().toString(),
                "-cp", s.home().resolve("lib") + "/*",
                "-Xmx" + s.heapMb() + "m",
                "-XX:+UseG1GC", "-XX:G1HeapRegionSize=32M", "-XX:+ExplicitGCInvokesConcurrent",
                "-XX:+ExitOnOutOfMemoryError", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + data.resolve("var"),
                "-XX:ReservedCodeCacheSize=256M", "-XX:PerMethodRecompilationCutoff=10000",
                "-XX:PerBytecodeRecompilationCutoff=10000", "-Djdk.attach.allowAttachSelf=true",
                "-XX:+EnableDynamicAgentLoading", "-Djdk.nio.maxCachedBufferSize=2000000",
                "-Dfile.encoding=UTF-8", "-Duser.timezone=UTC",
                "-Dnode.environment=granary",
                "-Dnode.data-dir=" + data.resolve("var"),
                // without it Trino announces a non-loopback address and cannot reach itself
                "-Dnode.internal-address=127.0.0.1",
                "-Dnode.bind-ip=" + s.host(),
                "-Dplugin.dir=" + s.home().resolve("plugin"),
                "-Dconfig=" + data.resolve("etc/config.properties"),
                "-Dlog.levels-file=" + data.resolve("etc/log.properties"),
                "-Daccess-control.config-files=" + data.resolve("etc/access-control.properties")));
        cmd.add("-Dnode.id=" + nodeId(data));
        cmd.add("io.trino.server.TrinoServer");
        return cmd;
    }

    private static void writeConfig(Settings s, Path data) throws IOException {
        Path etc = data.resolve("etc");
        Files.createDirectories(etc.resolve("catalog"));
        Files.createDirectories(data.resolve("var"));
        // catalogs created at run time hold credentials (S3 keys, database passwords)
        Files.setPosixFilePermissions(etc.resolve("catalog"), PosixFilePermissions.fromString("rwx------"));
        int queryMb = s.heapMb() / 2;
        String secure = "";
        if (s.security() != null) {
            secure = secureConfig(s, etc);
        }
        String config = secure + String.join("\n",
                "coordinator=true",
                "node-scheduler.include-coordinator=true",
                "http-server.http.port=" + s.port(),
                "discovery.uri=http://127.0.0.1:" + s.port(),
                "query.max-memory=" + queryMb + "MB",
                "query.max-memory-per-node=" + queryMb + "MB",
                // catalogs come and go with CREATE/DROP CATALOG; kept as files under etc/catalog
                "catalog.management=dynamic",
                "catalog.store=file",
                // a laptop or CI machine: no need to wait for more workers, quick shutdown
                "shutdown.grace-period=1s",
                "");
        Files.writeString(etc.resolve("config.properties"), config, StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("log.properties"), "io.trino=INFO\n", StandardCharsets.UTF_8);
        if (s.security() != null) {
            Path dir = s.security().dir().toAbsolutePath().normalize();
            Files.writeString(etc.resolve("access-control.properties"), "access-control.name=file\n"
                    + "security.config-file=" + dir.resolve(TrinoAccessFiles.RULES) + "\n"
                    + "security.refresh-period=500ms\n", StandardCharsets.UTF_8);
            return;
        }
        // CREATE CATALOG statements carry credentials: only Granary's user may see other users' queries
        Files.writeString(etc.resolve("access-control.properties"), "access-control.name=file\n"
                + "security.config-file=" + etc.resolve("access-rules.json") + "\n", StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("access-rules.json"), """
                {"catalogs": [{"user": "%1$s", "allow": "owner"}, {"allow": "all"}],
                 "queries": [{"user": "%1$s", "allow": ["execute", "kill", "view"]}, {"allow": ["execute"]}]}
                """.formatted(GRANARY_USER), StandardCharsets.UTF_8);
    }

    /**
     * HTTPS with a new self-signed key pair (keytool of Trino's JDK), password logins from the security directory
     * (seeded with Granary's user), and the secret Trino signs its internal requests with.
     */
    private static String secureConfig(Settings s, Path etc) throws IOException {
        Security sec = s.security();
        Path dir = sec.dir().toAbsolutePath().normalize();
        new TrinoAccessFiles(dir, GRANARY_USER).seed(sec.granaryPassword());
        String storePassword = io.granary.core.util.Secrets.random(24);
        Path keystore = etc.resolve("keystore.p12");
        Files.deleteIfExists(keystore);
        Path keytool = s.java().executable().resolveSibling("keytool");
        String host = java.net.InetAddress.getLocalHost().getHostName();
        run(keytool.toString(), "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", storePassword, "-alias", "trino", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=granary-local-trino", "-ext", "SAN=ip:127.0.0.1,dns:localhost,dns:" + host);
        run(keytool.toString(), "-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", storePassword,
                "-alias", "trino", "-file", etc.resolve("trino.pem").toString());
        Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(etc.resolve("password-authenticator.properties"), "password-authenticator.name=file\n"
                + "file.password-file=" + dir.resolve(TrinoAccessFiles.PASSWORDS) + "\n"
                + "file.refresh-period=500ms\n", StandardCharsets.UTF_8);
        return String.join("\n",
                "http-server.https.enabled=true",
                "http-server.https.port=" + sec.httpsPort(),
                "http-server.https.keystore.path=" + keystore,
                "http-server.https.keystore.key=" + storePassword,
                "http-server.authentication.type=PASSWORD",
                "password-authenticator.config-files=" + etc.resolve("password-authenticator.properties"),
                "internal-communication.shared-secret=" + io.granary.core.util.Secrets.random(48),
                "");
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(cmd[0] + " " + cmd[1] + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A node id kept in the data directory, so a restarted server is the same node. */
    private static String nodeId(Path data) {
        Path file = data.resolve("etc/node.properties");
        Properties p = new Properties();
        try {
            if (Files.exists(file)) {
                try (var in = Files.newInputStream(file)) {
                    p.load(in);
                }
            }
            String id = p.getProperty("node.id");
            if (id == null || id.isBlank()) {
                id = "granary-" + UUID.randomUUID();
                Files.writeString(file, "node.id=" + id + "\n", StandardCharsets.UTF_8);
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write " + file, e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = started + timeout.toNanos();
        URI info = URI.create("http://127.0.0.1:" + settings.port() + "/v1/info");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Trino exited with code " + process.exitValue() + " while starting. "
                        + lastLines(20));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(info).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"starting\":false")) {
                    readySeconds = (System.nanoTime() - started) / 1e9;
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("interrupted while Trino was starting", e);
            }
            sleep(250);
        }
        stop();
        throw new IllegalStateException("Trino did not become ready within " + timeout.toSeconds() + " s. " + lastLines(20));
    }

    /** The last lines of the server's log, for error messages. */
    public String lastLines(int n) {
        Path log = log();
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - n), lines.size());
            return "Last lines of " + log + ":\n" + String.join("\n", tail);
        } catch (IOException | RuntimeException e) {
            return "(no log at " + log + ")";
        }
    }

    public Path log() {
        return settings.dataDir().toAbsolutePath().normalize().resolve("trino.log");
    }

    /** Seconds from {@link #start} until it accepted queries. */
    public double startSeconds() {
        return readySeconds;
    }

    /** {@code jdbc:trino://127.0.0.1:port} (the HTTPS port with {@link Security}). */
    public String jdbcUrl() {
        return "jdbc:trino://127.0.0.1:" + clientPort();
    }

    /** {@code http://127.0.0.1:port}, or {@code https://127.0.0.1:httpsPort} with {@link Security}. */
    public URI url() {
        return URI.create((settings.security() != null ? "https" : "http") + "://127.0.0.1:" + clientPort());
    }

    private int clientPort() {
        return settings.security() != null ? settings.security().httpsPort() : settings.port();
    }

    /** The certificate clients trust ({@link Security}), or null without one. */
    public Path certificate() {
        return settings.security() != null ? certificate(settings.dataDir()) : null;
    }

    public Settings settings() {
        return settings;
    }

    public int port() {
        return settings.port();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until the server exits by itself; returns its exit code. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** SIGTERM, then waits up to 30 s for a clean exit before killing it; returns the exit code. */
    public int stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
