package io.granary.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;

/** Storage API jobs: submitting work that answers 202 with a job, and waiting for the job to finish. */
final class Jobs {

    private static final int[] JOB_WAITS = {1, 2, 4, 8, 16, 20};

    private final HttpTransport http;

    Jobs(HttpTransport http) {
        this.http = http;
    }

    /** See {@link StorageClient#waitForJob(long, Duration)}. */
    JsonNode waitFor(long jobId, Duration timeout) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        for (int i = 0; ; i++) {
            long waitSeconds = JOB_WAITS[Math.min(i, JOB_WAITS.length - 1)];
            if (timeout != null) {
                long leftMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
                waitSeconds = Math.min(waitSeconds, Math.max(0, leftMs / 1000));
            }
            long start = System.nanoTime();
            JsonNode job = http.send("GET", "/v2/storage/jobs/" + jobId, Map.of("wait", waitSeconds), null,
                    Duration.ofSeconds(waitSeconds + 60)).body();
            String status = job.path("status").asText();
            if ("success".equals(status)) {
                return job;
            }
            if ("error".equals(status)) {
                throw jobError(job);
            }
            if (System.nanoTime() >= deadline) {
                throw new StorageApiException(0, "client.jobWaitTimeout", "Job " + jobId + " did not finish within "
                        + timeout + " (status " + status + ")", null, null, job, null);
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            HttpTransport.sleep(Math.min(waitSeconds * 1000 - elapsedMs,
                    Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    static StorageApiException jobError(JsonNode job) {
        JsonNode error = job.path("error");
        String message = error.hasNonNull("message") ? error.get("message").asText() : "Job " + job.path("id").asText() + " failed";
        return new StorageApiException(0, HttpTransport.textOrNull(error, "code"), message,
                HttpTransport.textOrNull(error, "exceptionId"), null, job, null);
    }

    /** The finished job when the answer is a 202 job; otherwise the answer's body. */
    JsonNode waitIfJob(HttpTransport.Response r) {
        if (r.status() == 202 && r.body() != null && r.body().has("id")) {
            return waitFor(r.body().get("id").asLong(), null);
        }
        return r.body();
    }

    /** POSTs {@code body}, expects a 202 job and returns it finished. */
    JsonNode submitAndWait(String path, Map<String, Object> body) {
        HttpTransport.Response r = http.send("POST", path, Map.of(), body);
        if (r.status() != 202 || r.body() == null || !r.body().has("id")) {
            throw new StorageApiException(r.status(), null, "Expected a 202 job from POST " + path + ", got " + r.status(),
                    null, r.body(), null, null);
        }
        return waitFor(r.body().get("id").asLong(), null);
    }
}
