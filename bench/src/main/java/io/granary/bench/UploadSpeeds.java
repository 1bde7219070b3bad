package io.granary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.client.StorageClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How fast the embedded S3 endpoint takes a file, beside how fast the disk copies it: the Java client's upload of
 * the import's CSV (taken from the import runs), {@code aws s3 cp} of the same file to the same endpoint with a
 * file's upload credentials (when the AWS CLI is installed), and {@code cp} of it on the same disk. MB = 10^6 bytes.
 */
final class UploadSpeeds {

    /** The note of the AWS CLI row when there is none to measure. */
    static final String NO_AWS_CLI = "Granary: not measured, the AWS CLI is not installed (apt-get install awscli)";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private UploadSpeeds() {
    }

    /** Adds the rows "upload …" (client ÷ cp) and "aws s3 cp …" (AWS CLI ÷ cp) after the CSV variant ran. */
    static void measure(BenchContext ctx, String scenario, String csvLabel, String size, ServerUnderTest server,
            StorageClient client, Path csv, Path scratch) throws Exception {
        long bytes = Files.size(csv);
        String upload = "upload CSV " + size;
        String aws = "aws s3 cp CSV " + size;
        String awsVersion = awsVersion();
        boolean exact = server.resetPeak();
        for (int run = 0; run < ctx.config.runs(); run++) {
            double cp = cp(csv, scratch);
            ctx.results.add(scenario, upload, Measurements.Side.RAW, run, mbPerSecond(bytes, cp), "MB/s",
                    Map.of("seconds", cp));
            ctx.results.add(scenario, aws, Measurements.Side.RAW, run, mbPerSecond(bytes, cp), "MB/s",
                    Map.of("seconds", cp));
            if (awsVersion != null) {
                double seconds = awsCp(server, client, csv);
                ctx.results.add(scenario, aws, Measurements.Side.GRANARY, run, mbPerSecond(bytes, seconds), "MB/s",
                        Map.of("seconds", seconds));
                Log.info("%s %s run %d: aws s3 cp %.0f MB/s, cp %.0f MB/s", scenario, size, run + 1,
                        mbPerSecond(bytes, seconds), mbPerSecond(bytes, cp));
            }
        }
        for (Measurements.Measurement m : ctx.results.measurements()) {
            if (m.scenario().equals(scenario) && m.variant().equals(csvLabel) && m.side() == Measurements.Side.GRANARY) {
                double seconds = (Double) m.detail().get("uploadSeconds");
                ctx.results.add(scenario, upload, Measurements.Side.GRANARY, m.run(), mbPerSecond(bytes, seconds), "MB/s",
                        Map.of("seconds", seconds));
            }
        }
        ctx.results.summarize(scenario, upload, "MB/s", server.peakRssBytes(),
                "Granary = the Java client's upload of the CSV in the runs above; raw = cp of it on the same disk"
                + "; RSS = peak during aws s3 cp");
        ctx.results.summarize(scenario, aws, "MB/s", server.peakRssBytes(), (awsVersion == null
                ? NO_AWS_CLI
                : "Granary = " + awsVersion + " cp to the embedded endpoint with the file's upload credentials; raw = cp")
                + (exact ? "" : "; RSS peak since server start"));
    }

    static double mbPerSecond(long bytes, double seconds) {
        return bytes / 1e6 / seconds;
    }

    /** Seconds {@code cp} takes to copy {@code file} into {@code dir} (the copy is deleted). */
    static double cp(Path file, Path dir) throws Exception {
        Path copy = dir.resolve("cp-" + file.getFileName());
        long t0 = System.nanoTime();
        run(List.of("cp", file.toString(), copy.toString()), Map.of());
        double seconds = Timer.since(t0);
        Files.delete(copy);
        return seconds;
    }

    /** Seconds {@code aws s3 cp} takes to upload {@code file} to a prepared file's key (the file is deleted after). */
    static double awsCp(ServerUnderTest server, StorageClient client, Path file) throws Exception {
        JsonNode prepared = prepare(server, file.getFileName().toString());
        JsonNode params = prepared.path("uploadParams");
        JsonNode c = params.path("credentials");
        String target = "s3://" + params.path("bucket").asText() + "/" + params.path("key").asText();
        try {
            long t0 = System.nanoTime();
            run(List.of("aws", "s3", "cp", "--only-show-errors", "--endpoint-url", server.s3Url(), file.toString(), target),
                    Map.of("AWS_ACCESS_KEY_ID", c.path("AccessKeyId").asText(),
                            "AWS_SECRET_ACCESS_KEY", c.path("SecretAccessKey").asText(),
                            "AWS_SESSION_TOKEN", c.path("SessionToken").asText(),
                            "AWS_DEFAULT_REGION", prepared.path("region").asText("us-east-1")));
            return Timer.since(t0);
        } finally {
            client.deleteFile(prepared.path("id").asLong());
        }
    }

    private static JsonNode prepare(ServerUnderTest server, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v2/storage/files/prepare"))
                .header("X-StorageApi-Token", ServerUnderTest.TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(1))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("name", name, "federationToken", true)))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            // not the body: a prepared file's answer carries credentials
            throw new IllegalStateException("files/prepare answered " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    /** {@code aws --version}'s first word (e.g. aws-cli/2.9.19), or null when there is no AWS CLI. */
    static String awsVersion() {
        try {
            String out = run(List.of("aws", "--version"), Map.of()).strip();
            return out.isEmpty() ? "aws" : out.split("\\s+")[0];
        } catch (IOException | IllegalStateException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        pb.environment().remove("AWS_PROFILE");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(3, command.size())))
                    + " failed: " + out.strip());
        }
        return out;
    }
}
