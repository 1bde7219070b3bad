package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Imports on one table run one at a time, in order": a script that fires loads without waiting must
 * end with the last submitted value, and two jobs of one table must never run at the same time.
 * Different tables do not wait for each other.
 */
class TableJobOrderTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final String BUCKET = "in.c-order";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");
    private static final int LOADS = 8;

    @TempDir
    Path tmp;

    private Tables tables;

    @BeforeAll
    static void bucket() {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "order", "stage", "in"));
    }

    @BeforeEach
    void setUp() {
        tables = new Tables(granary, tmp);
    }

    private String createKeyed(String name) {
        JsonNode created = tables.create(BUCKET, name, tables.upload(name + ".csv", "id,v\n1,v0\n2,keep\n"),
                Map.of("primaryKey", "id"));
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        return BUCKET + "." + name;
    }

    /** Uploads v1..vN first (uploads are synchronous), so the submissions below go out back to back. */
    private List<Long> uploads(String prefix) {
        List<Long> files = new ArrayList<>();
        for (int i = 1; i <= LOADS; i++) {
            // padding makes each load do a little work, so a worker overlap would have room to show
            StringBuilder csv = new StringBuilder("id,v\n");
            for (int r = 100; r < 2100; r++) {
                csv.append(r).append(',').append(prefix).append(i).append('\n');
            }
            csv.append("1,").append(prefix).append(i).append('\n');
            files.add(tables.upload(prefix + i + ".csv", csv.toString()));
        }
        return files;
    }

    private static List<Long> submitAll(String tableId, List<Long> files) {
        List<Long> ids = new ArrayList<>();
        for (long file : files) {
            Api.Response r = granary.master().postJson("/v2/storage/tables/" + tableId + "/import-async",
                    Map.of("dataFileId", file, "incremental", true));
            assertThat(r.status()).as(r.body()).isEqualTo(202);
            assertThat(r.json().get("status").asText()).isIn("waiting", "processing", "success");
            ids.add(r.json().get("id").asLong());
        }
        return ids;
    }

    private List<JsonNode> awaitAll(List<Long> ids) {
        List<JsonNode> done = new ArrayList<>();
        for (long id : ids) {
            JsonNode job = null;
            for (int i = 0; i < 60; i++) {
                job = granary.master().get("/v2/storage/jobs/" + id + "?wait=5").json();
                if (job.get("status").asText().equals("success") || job.get("status").asText().equals("error")) {
                    break;
                }
            }
            done.add(job);
        }
        return done;
    }

    private static OffsetDateTime time(JsonNode job, String field) {
        assertThat(job.get(field).isTextual()).as(field + " of " + job).isTrue();
        return OffsetDateTime.parse(job.get(field).asText(), TIME);
    }

    private String valueOfKey1(String tableId) throws IOException {
        return tables.export(tableId, Map.of("whereColumn", "id", "whereValues", List.of("1"), "columns", List.of("v")));
    }

    @Test
    void loadsSubmittedBackToBackRunOneAtATimeInSubmissionOrder() throws IOException {
        String tableId = createKeyed("seq");
        List<Long> ids = submitAll(tableId, uploads("v"));
        assertThat(ids).isSorted().doesNotHaveDuplicates();

        List<JsonNode> jobs = awaitAll(ids);
        for (JsonNode job : jobs) {
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
            assertThat(job.get("tableId").asText()).isEqualTo(tableId);
        }
        assertThat(valueOfKey1(tableId)).isEqualTo("\"v" + LOADS + "\"\n");
        JsonNode t = granary.master().get("/v2/storage/tables/" + tableId).json();
        assertThat(t.get("rowsCount").asLong()).isEqualTo(2 + 2000);

        // job i starts only after job i-1 has ended (times have second resolution, truncation keeps the order)
        for (int i = 1; i < jobs.size(); i++) {
            JsonNode prev = jobs.get(i - 1);
            JsonNode next = jobs.get(i);
            assertThat(time(next, "startTime")).as("job %s started before job %s ended", next.get("id"), prev.get("id"))
                    .isAfterOrEqualTo(time(prev, "endTime"));
            assertThat(time(next, "createdTime")).isAfterOrEqualTo(time(prev, "createdTime"));
        }

        // the job list shows every one of them, finished
        JsonNode list = granary.master().get("/v2/storage/jobs?limit=1000").json();
        List<Long> listed = new ArrayList<>();
        list.forEach(j -> {
            if (ids.contains(j.get("id").asLong())) {
                assertThat(j.get("status").asText()).isEqualTo("success");
                listed.add(j.get("id").asLong());
            }
        });
        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void loadsIntoTwoTablesAtOnceBothSucceedAndKeepTheirOwnOrder() throws Exception {
        String left = createKeyed("left");
        String right = createKeyed("right");
        List<Long> leftFiles = uploads("L");
        List<Long> rightFiles = uploads("R");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Callable<List<Long>> submitLeft = () -> {
                go.await();
                return submitAll(left, leftFiles);
            };
            Callable<List<Long>> submitRight = () -> {
                go.await();
                return submitAll(right, rightFiles);
            };
            Future<List<Long>> l = pool.submit(submitLeft);
            Future<List<Long>> r = pool.submit(submitRight);
            go.countDown();
            List<JsonNode> leftJobs = awaitAll(l.get(60, TimeUnit.SECONDS));
            List<JsonNode> rightJobs = awaitAll(r.get(60, TimeUnit.SECONDS));
            for (JsonNode job : leftJobs) {
                assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
                assertThat(job.get("tableId").asText()).isEqualTo(left);
            }
            for (JsonNode job : rightJobs) {
                assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
                assertThat(job.get("tableId").asText()).isEqualTo(right);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(valueOfKey1(left)).isEqualTo("\"L" + LOADS + "\"\n");
        assertThat(valueOfKey1(right)).isEqualTo("\"R" + LOADS + "\"\n");
        assertThat(tables.export(left, Map.of("whereColumn", "id", "whereValues", List.of("100"), "columns", List.of("v"))))
                .isEqualTo("\"L" + LOADS + "\"\n");
        assertThat(granary.master().get("/v2/storage/tables/" + right).json().get("rowsCount").asLong()).isEqualTo(2002);
    }

    /**
     * {@code ?wait=N} answers when the job ends, not at the end of N seconds or of a polling interval (the
     * embedded node re-reads a job only every 5 s unless its end wakes the waiter).
     */
    @Test
    void aWaitingJobRequestAnswersAsSoonAsTheJobEnds() {
        String tableId = createKeyed("waits");
        List<Long> ids = submitAll(tableId, uploads("w"));
        long failing = granary.master().postJson("/v2/storage/tables/" + tableId + "/import-async",
                Map.of("dataFileId", tables.upload("bad.csv", "other\nx\n"), "incremental", true)).json().get("id").asLong();

        long t0 = System.nanoTime();
        JsonNode last = granary.master().get("/v2/storage/jobs/" + ids.get(ids.size() - 1) + "?wait=30").json();
        JsonNode failed = granary.master().get("/v2/storage/jobs/" + failing + "?wait=30").json();
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(last.get("status").asText()).as(last.toString()).isEqualTo("success");
        assertThat(failed.get("status").asText()).as(failed.toString()).isEqualTo("error");
        assertThat(failed.at("/error/code").asText()).isEqualTo("csvImport.columnsNotMatch");
        assertThat(waitedMs).as("%d loads of 2001 rows and a failing one waited for", LOADS).isLessThan(4000);
    }
}
