package io.granary.cli;

import io.granary.postgres.PostgresConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** {@code granary s3} running as a child JVM, as an operator starts it for several nodes. */
final class S3Process implements AutoCloseable {

    private final Process process;
    final String endpoint;
    final String accessKey;
    final String secretKey;

    private S3Process(Process process, String endpoint, String accessKey, String secretKey) {
        this.process = process;
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    static S3Process start(Path dataDir, PostgresConfig pg) throws Exception {
        Files.createDirectories(dataDir);
        int port = io.granary.server.FreePort.find();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "s3", "--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir",
                dataDir.toString(), "--postgres-url", pg.url(), "--postgres-user", pg.user()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dataDir.resolveSibling("s3.log").toFile());
        pb.environment().put("GRANARY_POSTGRES_PASSWORD", pg.password() == null ? "" : pg.password());
        Process process = pb.start();
        String endpoint = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("granary s3 exited with " + process.exitValue());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/healthz")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    Properties keys = new Properties();
                    try (InputStream in = Files.newInputStream(dataDir.resolve("s3-system-key.properties"))) {
                        keys.load(in);
                    }
                    return new S3Process(process, endpoint, keys.getProperty("accessKey"), keys.getProperty("secretKey"));
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("granary s3 did not start");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
