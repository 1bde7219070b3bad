package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real server process while an HTTP request is in flight: the request is answered in full within
 * {@code --shutdown-grace}, and only then does the process exit (0). With a grace of 0 s nothing waits for it.
 */
class HttpDrainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void anInFlightRequestIsAnsweredBeforeTheProcessExits() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        // no workers: the job stays waiting, so a poll with wait=<s> holds its request open that long
        try (ServerProcess server = ServerProcess.start(data, 0, "--shutdown-grace", "30")) {
            long job = waitingJob(server);
            long sent = System.nanoTime();
            CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.get("/v2/storage/jobs/" + job + "?wait=4");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1000); // the poll is in the server's hands now
            assertThat(poll).isNotDone();
            assertThat(server.terminate(Duration.ofMinutes(1))).as(server.log()).isZero();
            HttpResponse<String> answered = poll.join();
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(answered.body());
            assertThat(body.get("id").asLong()).isEqualTo(job);
            assertThat(body.get("status").asText()).isEqualTo("waiting");
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(3500));
            assertThat(server.log()).contains("Granary stopped.");
        }
    }

    @Test
    void aGraceOfZeroDoesNotWaitForRequests() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        try (ServerProcess server = ServerProcess.start(data, 0, "--shutdown-grace", "0")) {
            long job = waitingJob(server);
            CompletableFuture<Integer> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.get("/v2/storage/jobs/" + job + "?wait=60").statusCode();
                } catch (Exception e) {
                    return -1; // the connection was closed under it
                }
            });
            Thread.sleep(1000);
            long stopping = System.nanoTime();
            assertThat(server.terminate(Duration.ofMinutes(1))).as(server.log()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(30));
            assertThat(poll.join()).isNotEqualTo(200);
        }
    }

    private static long waitingJob(ServerProcess server) throws Exception {
        server.postJson("/v2/storage/buckets", Map.of("name", "main", "stage", "in"));
        Path csv = Files.writeString(server.log.getParent().resolve("t.csv"), "id\n1\n");
        long file = server.uploadFile(csv.toFile());
        return server.postJson("/v2/storage/buckets/in.c-main/tables-async", Map.of("name", "t", "dataFileId", file))
                .get("id").asLong();
    }
}
