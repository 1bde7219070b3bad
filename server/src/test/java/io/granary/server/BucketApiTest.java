package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BucketApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static Api master() {
        return granary.master();
    }

    private static int bucketCount() {
        return master().get("/v2/storage/buckets").json().size();
    }

    @Test
    void createAddsThePrefixAndReturnsTheResource() {
        Api.Response r = master().postJson("/v2/storage/buckets", Map.of("name", "sales", "stage", "in", "description", "d"));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        JsonNode b = r.json();
        assertThat(b.get("id").asText()).isEqualTo("in.c-sales");
        assertThat(b.get("name").asText()).isEqualTo("c-sales");
        assertThat(b.get("displayName").asText()).isEqualTo("sales");
        assertThat(b.get("stage").asText()).isEqualTo("in");
        assertThat(b.get("description").asText()).isEqualTo("d");
        assertThat(b.get("uri").asText()).isEqualTo(granary.url() + "/v2/storage/buckets/in.c-sales");
        assertThat(b.get("backend").asText()).isEqualTo(EmbeddedGranary.backend());
        assertThat(master().get("/v2/storage/buckets/in.c-sales").json().get("id").asText()).isEqualTo("in.c-sales");
        assertThat(master().get("/v2/storage/buckets/in.c-sales/").status()).isEqualTo(200);
    }

    @Test
    void formBodyWorksToo() {
        Api.Response r = master().postForm("/v2/storage/buckets", Map.of("name", "formed", "stage", "out"));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("id").asText()).isEqualTo("out.c-formed");
    }

    @Test
    void duplicateIs400AlreadyExists() {
        master().postJson("/v2/storage/buckets", Map.of("name", "dup", "stage", "in"));
        int before = bucketCount();
        Api.Response r = master().postJson("/v2/storage/buckets", Map.of("name", "dup", "stage", "in"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("code").asText()).isEqualTo("storage.buckets.alreadyExists");
        assertThat(r.json().get("error").asText()).isEqualTo("The display name \"dup\" already exists in project.");
        assertThat(bucketCount()).isEqualTo(before);
    }

    @Test
    void invalidNamesAndStagesAre400AndCreateNothing() {
        int before = bucketCount();
        Api.Response badChars = master().postJson("/v2/storage/buckets", Map.of("name", "my bucket!", "stage", "in"));
        assertThat(badChars.status()).isEqualTo(400);
        assertThat(badChars.json().get("code").asText()).isEqualTo("storage.buckets.validation");
        assertThat(badChars.json().get("error").asText()).contains("'my bucket!' contains not allowed characters. Only alphanumeric characters dash and underscores are allowed.");

        Api.Response tooLong = master().postJson("/v2/storage/buckets", Map.of("name", "x".repeat(97), "stage", "in"));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("error").asText()).contains("too long");

        Api.Response badStage = master().postJson("/v2/storage/buckets", Map.of("name", "ok", "stage", "sys"));
        assertThat(badStage.status()).isEqualTo(400);
        assertThat(badStage.json().get("error").asText()).contains("stage");

        Api.Response noName = master().postJson("/v2/storage/buckets", Map.of("stage", "in"));
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.json().get("error").asText()).contains("name");

        assertThat(bucketCount()).isEqualTo(before);
    }

    @Test
    void unknownBucketIs404() {
        Api.Response r = master().get("/v2/storage/buckets/in.c-nope");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("code").asText()).isEqualTo("storage.buckets.notFound");
        assertThat(r.json().get("error").asText()).isEqualTo("The bucket \"in.c-nope\" was not found in the project \"1\"");
        assertThat(master().delete("/v2/storage/buckets/in.c-nope").status()).isEqualTo(404);
    }

    @Test
    void deleteSyncAndAsync() {
        master().postJson("/v2/storage/buckets", Map.of("name", "gone", "stage", "in"));
        assertThat(master().delete("/v2/storage/buckets/in.c-gone").status()).isEqualTo(204);
        assertThat(master().get("/v2/storage/buckets/in.c-gone").status()).isEqualTo(404);

        master().postJson("/v2/storage/buckets", Map.of("name", "later", "stage", "out"));
        Api.Response accepted = master().delete("/v2/storage/buckets/out.c-later?force=False&async=1");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = accepted.json();
        assertThat(job.get("operationName").asText()).isEqualTo("bucketDelete");
        assertThat(job.get("url").asText()).isEqualTo(granary.url() + "/v2/storage/jobs/" + job.get("id").asLong());
        JsonNode done = master().get("/v2/storage/jobs/" + job.get("id").asLong() + "?wait=10").json();
        assertThat(done.get("status").asText()).isEqualTo("success");
        assertThat(master().get("/v2/storage/buckets/out.c-later").status()).isEqualTo(404);
    }

    @Test
    void invalidBooleanIsRejectedNotReadAsTrue() {
        master().postJson("/v2/storage/buckets", Map.of("name", "kept", "stage", "in"));
        Api.Response r = master().delete("/v2/storage/buckets/in.c-kept?async=maybe");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).contains("async").contains("maybe");
        assertThat(master().get("/v2/storage/buckets/in.c-kept").status()).isEqualTo(200);
    }
}
