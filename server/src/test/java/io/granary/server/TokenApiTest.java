package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TokenApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    @BeforeAll
    static void buckets() {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "main", "stage", "in"));
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "other", "stage", "in"));
    }

    private static List<String> ids(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.get("id").asText()));
        return out;
    }

    @Test
    void verifyDescribesTheMasterToken() {
        Api.Response r = granary.master().get("/v2/storage/tokens/verify");
        assertThat(r.status()).isEqualTo(200);
        JsonNode t = r.json();
        assertThat(t.get("token").asText()).isEqualTo(EmbeddedGranary.MASTER_TOKEN);
        assertThat(t.get("isMasterToken").asBoolean()).isTrue();
        assertThat(t.get("canManageBuckets").asBoolean()).isTrue();
        assertThat(t.get("bucketPermissions").get("in.c-main").asText()).isEqualTo("manage");
        assertThat(t.get("owner").get("id").asLong()).isEqualTo(1);
        assertThat(t.get("owner").get("features").toString()).contains("queuev2");
        assertThat(t.get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d{4}");
    }

    @Test
    void masterTokenFileIsNotWrittenWorldReadable() throws Exception {
        var file = granary.dataDir().resolve("master-token");
        assertThat(Files.readString(file).strip()).isEqualTo(EmbeddedGranary.MASTER_TOKEN);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        if (!EmbeddedGranary.onPostgres()) {
            for (String name : new String[] {"catalog.sqlite", "catalog.sqlite-wal"}) {
                var catalogFile = granary.dataDir().resolve(name);
                if (Files.exists(catalogFile)) {
                    assertThat(Files.readString(catalogFile, java.nio.charset.StandardCharsets.ISO_8859_1))
                            .doesNotContain(EmbeddedGranary.MASTER_TOKEN);
                }
            }
            assertThat(granary.dataDir().resolve("catalog.sqlite")).exists();
        }
    }

    @Test
    void limitedTokenSeesOnlyItsBuckets() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("description", "reader");
        body.put("bucketPermissions", Map.of("in.c-main", "read"));
        Api.Response created = granary.master().postJson("/v2/storage/tokens", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String secret = created.json().get("token").asText();
        assertThat(secret).startsWith("1-" + created.json().get("id").asText() + "-");

        Api reader = granary.api(secret);
        JsonNode verify = reader.get("/v2/storage/tokens/verify").json();
        assertThat(verify.get("isMasterToken").asBoolean()).isFalse();
        assertThat(verify.get("bucketPermissions").toString()).isEqualTo("{\"in.c-main\":\"read\"}");
        assertThat(reader.get("/v2/storage/buckets").json().findValuesAsText("id")).containsExactly("in.c-main");
        assertThat(reader.get("/v2/storage/buckets/in.c-main").status()).isEqualTo(200);
        Api.Response denied = reader.get("/v2/storage/buckets/in.c-other");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().get("code").asText()).isEqualTo("accessDenied");
        Api.Response cannotCreate = reader.postJson("/v2/storage/buckets", Map.of("name", "mine", "stage", "in"));
        assertThat(cannotCreate.status()).isEqualTo(403);
        Api.Response cannotDelete = reader.delete("/v2/storage/buckets/in.c-main");
        assertThat(cannotDelete.status()).isEqualTo(403);
        assertThat(granary.master().get("/v2/storage/buckets/in.c-main").status()).isEqualTo(200);

        // its list and detail show only itself and never a secret
        List<String> ids = ids(reader.get("/v2/storage/tokens").json());
        assertThat(ids).containsExactly(created.json().get("id").asText());
        assertThat(granary.master().get("/v2/storage/tokens").json().findValues("token")).isEmpty();
    }

    @Test
    void invalidPermissionsAre400AndCreateNothing() {
        int before = granary.master().get("/v2/storage/tokens").json().size();
        Api.Response manage = granary.master().postJson("/v2/storage/tokens",
                Map.of("description", "x", "bucketPermissions", Map.of("in.c-main", "manage")));
        assertThat(manage.status()).isEqualTo(400);
        assertThat(manage.json().get("code").asText()).isEqualTo("storage.tokens.invalidPermissions");
        assertThat(manage.json().get("error").asText()).contains("manage").contains("in.c-main");
        Api.Response unknown = granary.master().postForm("/v2/storage/tokens",
                Map.of("description", "x", "bucketPermissions[in.c-nope]", "read"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("code").asText()).isEqualTo("storage.tokens.invalidPermissions");
        assertThat(unknown.json().get("error").asText()).contains("in.c-nope");
        assertThat(granary.master().get("/v2/storage/tokens").json().size()).isEqualTo(before);
    }

    @Test
    void tokenDetailDeleteAndRefresh() {
        JsonNode created = granary.master().postForm("/v2/storage/tokens",
                Map.of("description", "temp", "canManageBuckets", "1")).json();
        String id = created.get("id").asText();
        String oldSecret = created.get("token").asText();
        assertThat(created.get("canManageBuckets").asBoolean()).isTrue();

        JsonNode detail = granary.master().get("/v2/storage/tokens/" + id).json();
        assertThat(detail.get("description").asText()).isEqualTo("temp");
        assertThat(detail.has("token")).isFalse();

        JsonNode refreshed = granary.master().postJson("/v2/storage/tokens/" + id + "/refresh", Map.of()).json();
        String newSecret = refreshed.get("token").asText();
        assertThat(newSecret).isNotEqualTo(oldSecret);
        assertThat(granary.api(oldSecret).get("/v2/storage/tokens/verify").status()).isEqualTo(401);
        assertThat(granary.api(newSecret).get("/v2/storage/tokens/verify").status()).isEqualTo(200);

        assertThat(granary.master().delete("/v2/storage/tokens/" + id).status()).isEqualTo(204);
        assertThat(granary.api(newSecret).get("/v2/storage/tokens/verify").status()).isEqualTo(401);
        Api.Response gone = granary.master().get("/v2/storage/tokens/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("code").asText()).isEqualTo("storage.tokens.notFound");
        assertThat(gone.json().get("error").asText()).isEqualTo("Token " + id + " not found.");
    }

    @Test
    void masterTokenCannotBeDeleted() {
        String id = granary.master().get("/v2/storage/tokens/verify").json().get("id").asText();
        Api.Response r = granary.master().delete("/v2/storage/tokens/" + id);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("error").asText()).isEqualTo("Master token cannot be deleted.");
        assertThat(granary.master().get("/v2/storage/tokens/verify").status()).isEqualTo(200);
    }

    @Test
    void expiredTokenIsRejected() throws InterruptedException {
        JsonNode created = granary.master().postJson("/v2/storage/tokens", Map.of("description", "short", "expiresIn", 1)).json();
        String secret = created.get("token").asText();
        assertThat(created.get("expires").isNull()).isFalse();
        Thread.sleep(1200);
        Api.Response r = granary.api(secret).get("/v2/storage/tokens/verify");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().get("error").asText()).isEqualTo("Invalid access token");
    }

    @Test
    void invalidBooleanIs400() {
        Api.Response r = granary.master().postForm("/v2/storage/tokens", Map.of("description", "b", "canManageBuckets", "yes"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("Invalid request: canManageBuckets: \"yes\" is not boolean. Possible values are true, false, 1, 0.");
    }
}
