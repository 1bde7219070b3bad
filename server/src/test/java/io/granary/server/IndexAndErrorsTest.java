package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IndexAndErrorsTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    @Test
    void indexNeedsNoTokenAndListsTheS3Endpoint() {
        for (String path : new String[] {"/v2/storage", "/v2/storage/"}) {
            Api.Response r = granary.api(null).get(path);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            JsonNode n = r.json();
            assertThat(n.get("api").asText()).isEqualTo("storage");
            assertThat(n.get("version").asText()).isEqualTo("v2");
            assertThat(n.get("services").findValuesAsText("id")).containsExactly("import", "s3");
            assertThat(n.get("services").get(1).get("url").asText()).isEqualTo(granary.s3Url());
        }
    }

    @Test
    void healthChecks() {
        assertThat(granary.api(null).get("/health/live").status()).isEqualTo(200);
        Api.Response ready = granary.api(null).get("/health/ready");
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(ready.json().get("checks").get("objectStore").asText()).isEqualTo("ok");
    }

    @Test
    void unknownRouteIsKeboolaShaped404() {
        Api.Response r = granary.master().get("/v2/storage/no-such-thing");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.json().get("status").asText()).isEqualTo("error");
        assertThat(r.json().get("error").asText()).contains("/v2/storage/no-such-thing");
        assertThat(r.json().get("exceptionId").asText()).startsWith("exception-");
    }

    @Test
    void aJsonBodyOverTheLimitIs413AndStoresNothing() {
        String description = "x".repeat((int) io.granary.server.http.Requests.MAX_BODY_BYTES);
        Api.Response r = granary.master().postJson("/v2/storage/buckets",
                java.util.Map.of("name", "huge", "stage", "in", "description", description));
        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.json().get("error").asText()).isEqualTo("The request body is larger than the limit of 16 MiB:"
                + " upload files to File Storage (or as multipart/form-data) instead.");
        assertThat(r.json().get("code").asText()).isEqualTo("storage.validation");
        assertThat(r.json().get("status").asText()).isEqualTo("error");
        assertThat(r.json().get("exceptionId").asText()).startsWith("exception-");
        assertThat(granary.master().get("/v2/storage/buckets/in.c-huge").status()).isEqualTo(404);
        // just under the limit is read as usual
        Api.Response fine = granary.master().postJson("/v2/storage/buckets",
                java.util.Map.of("name", "big", "stage", "in", "description", "x".repeat(1 << 20)));
        assertThat(fine.status()).as(fine.body()).isLessThan(300);
    }

    @Test
    void missingAndWrongTokensAre401() {
        Api.Response missing = granary.api(null).get("/v2/storage/buckets");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("code").asText()).isEqualTo("storage.tokenInvalid");
        assertThat(missing.json().get("error").asText()).isEqualTo("Access token must be set");

        Api.Response wrong = granary.api("1-1-wrong").get("/v2/storage/tokens/verify");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("Content-Type")).isEqualTo("application/json");
        assertThat(wrong.json().get("error").asText()).isEqualTo("Invalid access token");
        assertThat(wrong.json().get("code").asText()).isEqualTo("storage.tokenInvalid");
        assertThat(wrong.json().get("status").asText()).isEqualTo("error");
    }

    @Test
    void badJsonIs400AndCreatesNothing() {
        Api.Response r = granary.master().postRaw("/v2/storage/buckets", "application/json", "{\"name\": \"x\", ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("code").asText()).isEqualTo("storage.validation");
        assertThat(r.json().get("error").asText()).startsWith("Request body is not valid JSON");
        assertThat(granary.master().get("/v2/storage/buckets").json()).isEmpty();
    }
}
