package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's logs in both formats, from a real process: {@code GRANARY_LOG_FORMAT=json} writes one JSON object per
 * line with the request's and the job's ids; neither format ever holds a token, an S3 secret or the metrics secret.
 */
class ServerLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String METRICS_SECRET = "logs-test-metrics-secret";
    private static final String RUN_ID = "run-4711";

    @TempDir
    Path tmp;

    /** What a scenario saw: the ids the logs should name and every secret they must not. */
    private record Seen(long failedJob, String exceptionId, String masterTokenId, String otherTokenId, List<String> secrets) {
    }

    @Test
    void jsonLogsAreOneObjectPerLineWithTheIdsThatApplyAndNoSecret() throws Exception {
        Path data = tmp.resolve("json");
        Seen seen;
        Path log;
        try (ServerProcess server = ServerProcess.start(data, 1, Map.of("GRANARY_LOG_FORMAT", "json"),
                "--metrics-token", METRICS_SECRET)) {
            seen = scenario(server, data);
            log = server.log;
        }
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (java.io.IOException e) {
                throw new AssertionError("not a JSON line: " + line + "\nin:\n" + Files.readString(log), e);
            }
            assertThat(event.isObject()).as(line).isTrue();
            for (String field : List.of("time", "level", "logger", "message")) {
                assertThat(event.path(field).isTextual()).as(field + " in " + line).isTrue();
            }
            events.add(event);
        }
        assertThat(events).anySatisfy(e -> assertThat(e.get("message").asText()).isEqualTo("Granary is running."));
        assertThat(events).anySatisfy(e -> assertThat(e.get("message").asText()).startsWith("Stopping Granary: no new jobs"));
        // the failed job's line: its job, run, exception id and the token that started it
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("logger").asText()).isEqualTo("io.granary.core.job.JobService");
            assertThat(e.get("message").asText()).startsWith("job " + seen.failedJob() + " tableImport failed");
            assertThat(e.path("jobId").asText()).isEqualTo(String.valueOf(seen.failedJob()));
            assertThat(e.path("runId").asText()).isEqualTo(RUN_ID);
            assertThat(e.path("exceptionId").asText()).isEqualTo(seen.exceptionId());
            assertThat(e.path("tokenId").asText()).isEqualTo(seen.masterTokenId());
        });
        // a request's line names the caller's token by id, and its run id
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("logger").asText()).isEqualTo("io.granary.http");
            assertThat(e.get("message").asText()).startsWith("GET /v2/storage/buckets 200 ");
            assertThat(e.path("tokenId").asText()).isEqualTo(seen.otherTokenId());
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("message").asText()).startsWith("POST /v2/storage/tables/in.c-logs.t/import-async 202 ");
            assertThat(e.path("runId").asText()).isEqualTo(RUN_ID);
        });
        // a request that named no valid token carries none (nor one left by the thread's previous request)
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("message").asText()).startsWith("GET /v2/storage/tokens/verify 401 ");
            assertThat(e.has("tokenId")).isFalse();
        });
        assertNoSecret(log, seen);
    }

    @Test
    void textLogsHoldNoSecretEither() throws Exception {
        Path data = tmp.resolve("text");
        Seen seen;
        Path log;
        try (ServerProcess server = ServerProcess.start(data, 1, "--metrics-token", METRICS_SECRET)) {
            seen = scenario(server, data);
            log = server.log;
        }
        String text = Files.readString(log);
        assertThat(text).contains("Granary is running.").contains("job " + seen.failedJob() + " tableImport failed")
                .contains(" job=" + seen.failedJob() + " run=" + RUN_ID);
        assertNoSecret(log, seen);
    }

    private static void assertNoSecret(Path log, Seen seen) throws Exception {
        String text = Files.readString(log);
        for (String secret : seen.secrets()) {
            assertThat(secret).hasSizeGreaterThan(8);
            assertThat(text).as("the log holds a secret").doesNotContain(secret);
        }
    }

    /** A request, a token, a failing job, minted S3 credentials and a scrape; then the server stops. */
    private static Seen scenario(ServerProcess server, Path data) throws Exception {
        List<String> secrets = new ArrayList<>(List.of(ServerProcess.TOKEN, METRICS_SECRET));
        server.postJson("/v2/storage/buckets", Map.of("name", "logs", "stage", "in"));
        long good = server.uploadFile(Files.writeString(data.getParent().resolve("good.csv"), "id,amount\n1,2\n").toFile());
        JsonNode created = server.waitForJob(server.postJson("/v2/storage/buckets/in.c-logs/tables-async",
                Map.of("name", "t", "dataFileId", good)).get("id").asLong());
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        long bad = server.uploadFile(Files.writeString(data.getParent().resolve("bad.csv"), "nope\nx\n").toFile());
        HttpResponse<String> accepted = send(server, HttpRequest.newBuilder(URI.create(server.url
                + "/v2/storage/tables/in.c-logs.t/import-async")).header("X-StorageApi-Token", ServerProcess.TOKEN)
                .header("X-KBC-RunId", RUN_ID).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dataFileId\":" + bad + "}")));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode failed = server.waitForJob(JSON.readTree(accepted.body()).get("id").asLong());
        assertThat(failed.get("status").asText()).isEqualTo("error");

        JsonNode other = server.postJson("/v2/storage/tokens", Map.of("description", "reader", "canReadAllFileUploads", true));
        secrets.add(other.get("token").asText());
        HttpResponse<String> buckets = send(server, HttpRequest.newBuilder(URI.create(server.url + "/v2/storage/buckets"))
                .header("X-StorageApi-Token", other.get("token").asText()).GET());
        assertThat(buckets.statusCode()).isEqualTo(200);
        String wrong = "1-1-this-is-not-a-valid-token";
        secrets.add(wrong);
        assertThat(send(server, HttpRequest.newBuilder(URI.create(server.url + "/v2/storage/tokens/verify"))
                .header("X-StorageApi-Token", wrong).GET()).statusCode()).isEqualTo(401);
        JsonNode credentials = server.postJson("/v2/storage/files/prepare", Map.of("name", "x.csv", "federationToken", true))
                .get("uploadParams").get("credentials");
        secrets.add(credentials.get("SecretAccessKey").asText());
        secrets.add(credentials.get("SessionToken").asText());
        Properties keys = new Properties();
        try (var in = Files.newInputStream(data.resolve("s3-system-key.properties"))) {
            keys.load(in);
        }
        secrets.add(keys.getProperty("secretKey"));
        assertThat(send(server, HttpRequest.newBuilder(URI.create(server.url + "/metrics"))
                .header("Authorization", "Bearer " + METRICS_SECRET).GET()).statusCode()).isEqualTo(200);
        String masterId = server.getJson("/v2/storage/tokens/verify").get("id").asText();
        return new Seen(failed.get("id").asLong(), failed.get("error").get("exceptionId").asText(), masterId,
                other.get("id").asText(), secrets);
    }

    private static HttpResponse<String> send(ServerProcess server, HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
