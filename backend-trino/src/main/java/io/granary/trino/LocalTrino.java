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
    public record Settings(Path home, TrinoJava.Found java, Path dataDir, String host, int port, int heapMb) {
        public Settings {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("The Trino port must be between 1 and 65535 (got " + port + ")");
            }
            if (heapMb < 1024) {
                throw new IllegalArgumentException("Trino needs a heap of at least 1024 MB (got " + heapMb + ")");
            }
        }
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
        String config = String.join("\n",
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
        // CREATE CATALOG statements carry credentials: only Granary's user may see other users' queries
        Files.writeString(etc.resolve("access-control.properties"), "access-control.name=file\n"
                + "security.config-file=" + etc.resolve("access-rules.json") + "\n", StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("access-rules.json"), """
                {"catalogs": [{"user": "%1$s", "allow": "owner"}, {"allow": "all"}],
                 "queries": [{"user": "%1$s", "allow": ["execute", "kill", "view"]}, {"allow": ["execute"]}]}
                """.formatted(GRANARY_USER), StandardCharsets.UTF_8);
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

    /** {@code jdbc:trino://127.0.0.1:port}. */
    public String jdbcUrl() {
        return "jdbc:trino://127.0.0.1:" + settings.port();
    }

    /** {@code http://127.0.0.1:port}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + settings.port());
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
