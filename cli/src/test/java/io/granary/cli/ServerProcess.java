package io.granary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A Granary server running as a child JVM (so a test can kill it with SIGKILL), plus a tiny API client. */
final class ServerProcess implements AutoCloseable {

    static final String TOKEN = "1-1-process-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    final String url;
    /** Everything the process wrote to stdout and stderr. */
    final Path log;

    private ServerProcess(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    static ServerProcess start(Path dataDir, int workers, String... extraArgs) throws Exception {
        return start(dataDir, workers, java.util.Map.of(), extraArgs);
    }

    /** With these environment variables added to the server's. */
    static ServerProcess start(Path dataDir, int workers, java.util.Map<String, String> env, String... extraArgs)
            throws Exception {
        int port = io.granary.server.FreePort.find();
        int s3Port = io.granary.server.FreePort.find();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "server", "--host", "127.0.0.1", "--port", String.valueOf(port), "--s3-port", String.valueOf(s3Port),
                "--data-dir", dataDir.toString(), "--workers", String.valueOf(workers)));
        cmd.addAll(List.of(extraArgs));
        Path log = dataDir.getParent().resolve("server-" + UUID.randomUUID() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("GRANARY_MASTER_TOKEN", TOKEN);
        pb.environment().putAll(env);
        ServerProcess server = new ServerProcess(pb.start(), "http://127.0.0.1:" + port, log);
        // Generous: a JVM start plus migrations takes seconds when idle but minutes on a loaded 2-core machine.
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.process.isAlive()) {
                throw new IllegalStateException("server exited with " + server.process.exitValue() + ":\n" + tail(log));
            }
            try {
                if (server.get("/health/ready").statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        server.kill();
        throw new IllegalStateException("server did not become ready:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = java.nio.file.Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String path) throws IOException, InterruptedException {
        return JSON.readTree(get(path).body());
    }

    HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode postJson(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300 && r.statusCode() != 202) {
            throw new AssertionError(path + " → " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Streams a file to the importer's {@code /upload-file}; returns the file id. */
    long uploadFile(File file) throws IOException, InterruptedException {
        String boundary = "b" + UUID.randomUUID();
        var body = HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; "
                        + "filename=\"" + file.getName() + "\"\r\nContent-Type: text/csv\r\n\r\n", StandardCharsets.UTF_8),
                HttpRequest.BodyPublishers.ofFile(file.toPath()),
                HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.UTF_8));
        HttpResponse<String> r = HTTP.send(request("/upload-file").header("Content-Type",
                "multipart/form-data; boundary=" + boundary).POST(body).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("upload → " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("id").asLong();
    }

    JsonNode waitForJob(long id) throws IOException, InterruptedException {
        for (int i = 0; i < 60; i++) {
            JsonNode job = getJson("/v2/storage/jobs/" + id + "?wait=5");
            String status = job.get("status").asText();
            if (status.equals("success") || status.equals("error")) {
                return job;
            }
        }
        throw new AssertionError("job " + id + " did not finish");
    }

    /** A POST whose answer the caller checks (a refusal included). */
    HttpResponse<String> post(String path, Object body) throws IOException, InterruptedException {
        return HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(2)).header("X-StorageApi-Token", TOKEN);
    }

    /** What the server printed so far (stdout and stderr). */
    String log() throws IOException {
        return java.nio.file.Files.readString(log);
    }

    /** SIGTERM, as a service manager stops it; returns the exit code once the process has ended. */
    int terminate(Duration maxWait) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(maxWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("server did not stop within " + maxWait + " after SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no cleanup — as a crash or an OOM killer would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
