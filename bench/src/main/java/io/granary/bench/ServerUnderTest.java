package io.granary.bench;

import io.granary.client.StorageClient;
import io.granary.core.util.FileTrees;
import io.granary.server.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Granary server as users run it, {@code granary server}, in its own JVM started from the bench's class
 * path, so its resident memory can be read from {@code /proc/<pid>/status} apart from the bench's own and
 * from the raw engines it is compared with.
 */
final class ServerUnderTest implements AutoCloseable {

    static final String TOKEN = "1-1-bench-master-token";
    static final int WORKERS = 4;
    // generous: in Trino mode a start creates catalogs on Trino, which took over 2 minutes on a loaded machine
    private static final int READY_SECONDS = 300;

    private final Process process;
    private final String url;
    private String s3Url;
    private final Path log;
    private volatile boolean shared;

    private final Path dataDir;

    private ServerUnderTest(Process process, String url, Path log, Path dataDir) {
        this.process = process;
        this.url = url;
        this.log = log;
        this.dataDir = dataDir;
    }

    /**
     * Starts {@code granary server} on free ports with a fresh {@code dataDir} and waits until it is ready.
     * {@link #stop()} deletes {@code dataDir}.
     *
     * @param cdsDir    where the class-data sharing archive of this class path is kept (made by the first
     *                  server, used by the next ones): under a loaded machine it halves start-up, which is
     *                  not measured, and changes nothing after it
     * @param extraArgs more {@code granary server} options (e.g. the PostgreSQL ones)
     */
    static ServerUnderTest start(Path dataDir, Path log, String heap, Path cdsDir, List<String> extraArgs)
            throws Exception {
        Files.createDirectories(dataDir);
        Files.createDirectories(log.getParent());
        int port = FreePort.find();
        int s3Port = FreePort.find();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, cdsOption(cdsDir), "-cp",
                System.getProperty("java.class.path"), "io.granary.cli.Main", "server", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--s3-port", String.valueOf(s3Port),
                "--public-url", "http://127.0.0.1:" + port,
                "--s3-public-url", "http://127.0.0.1:" + s3Port, "--data-dir", dataDir.resolve("data").toString(),
                "--workers", String.valueOf(WORKERS)));
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GRANARY_MASTER_TOKEN", TOKEN);
        ServerUnderTest server = new ServerUnderTest(pb.start(), "http://127.0.0.1:" + port, log, dataDir);
        server.s3Url = "http://127.0.0.1:" + s3Port;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(READY_SECONDS).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.process.isAlive()) {
                throw new IllegalStateException("the server exited with " + server.process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(server.url + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        server.stop();
        throw new IllegalStateException("the server did not become ready in " + READY_SECONDS + " s; see " + log);
    }

    // one archive per class path and JVM: the JVM refuses an archive whose jars changed
    private static String cdsOption(Path cdsDir) throws IOException {
        StringBuilder key = new StringBuilder(System.getProperty("java.vm.version"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            key.append('|').append(entry);
            if (Files.isRegularFile(p)) {
                key.append(':').append(Files.size(p)).append(':').append(Files.getLastModifiedTime(p).toMillis());
            }
        }
        Files.createDirectories(cdsDir);
        Path archive = cdsDir.resolve("server-" + Integer.toHexString(key.toString().hashCode()) + ".jsa");
        return Files.isRegularFile(archive) ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + archive;
    }

    String url() {
        return url;
    }

    /** The embedded S3 endpoint. */
    String s3Url() {
        return s3Url;
    }

    long pid() {
        return process.pid();
    }

    /** A new client with its own HTTP connections, as a separate user would have. */
    StorageClient client() {
        return StorageClient.builder(url, TOKEN).build();
    }

    /**
     * Sets the peak back to the current resident size ({@code /proc/<pid>/clear_refs}, Linux 4.0+), so the
     * next {@link #peakRssBytes()} is the peak of what ran since. Returns false where that is not possible:
     * the peak then covers the server's whole life.
     */
    boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid()), "clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code VmHWM}: the highest resident set size of the server process (since start or {@link #resetPeak()}). */
    long peakRssBytes() {
        return status().getOrDefault("VmHWM", -1L);
    }

    private Map<String, Long> status() {
        try {
            Map<String, Long> out = new java.util.HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
                    out.put(line.substring(0, line.indexOf(':')), Long.parseLong(line.replaceAll("\\D+", "")) * 1024);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the server's memory from /proc (Linux only)", e);
        }
    }

    /** Makes {@link #close()} leave the server running, for the next scenario; {@link #stop()} ends it. */
    ServerUnderTest share() {
        shared = true;
        return this;
    }

    /** Stops the server unless it is shared. */
    @Override
    public void close() throws InterruptedException {
        if (!shared) {
            stop();
        }
    }

    /** Stops the server and deletes its data directory (the log stays). */
    void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        FileTrees.delete(dataDir);
    }

    @Override
    public String toString() {
        return "granary server pid " + pid() + " at " + url + " (log " + log + ")";
    }
}
