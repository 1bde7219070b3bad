package io.granary.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.model.StoredFile;
import io.granary.core.storage.FileService.FileView;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code uploadParams} as rendered for a store that mints credentials and for one that presigns a PUT. */
class FileViewUploadParamsTest {

    private static final Views VIEWS = new Views("http://granary", "granary", "us-east-1", 1, "duckdb");
    private static final StoredFile FILE = new StoredFile(7, "a.csv", null, null, false, false, true, false, "csv",
            List.of(), null, 1, "Master Token", "exp-15/1/files/2026/05/01/7.a.csv", Instant.parse("2026-05-01T00:00:00Z"),
            Instant.parse("2026-05-16T00:00:00Z"));
    private static final URI GET_URL = URI.create("http://s3/granary/exp-15/1/files/2026/05/01/7.a.csv?X-Amz-Signature=g");

    @Test
    void credentialsAndNoUrlWhenTheStoreMintsThem() {
        IssuedCredentials c = new IssuedCredentials("ASIAX", "secret", "token", Instant.parse("2026-05-01T12:00:00Z"));
        JsonNode up = VIEWS.file(new FileView(FILE, GET_URL, c), true).get("uploadParams");
        assertThat(names(up)).containsExactly("key", "bucket", "acl", "x-amz-server-side-encryption", "credentials");
    }

    @Test
    void aPresignedPutUrlAndNoCredentialsWhenItDoesNot() {
        URI put = URI.create("http://s3/granary/exp-15/1/files/2026/05/01/7.a.csv?X-Amz-Signature=p");
        JsonNode file = VIEWS.file(new FileView(FILE, GET_URL, null, put), true);
        assertThat(names(file.get("uploadParams")))
                .containsExactly("key", "bucket", "acl", "x-amz-server-side-encryption", "url");
        assertThat(file.at("/uploadParams/url").asText()).isEqualTo(put.toString());
        assertThat(file.path("url").asText()).isEqualTo(GET_URL.toString());
    }

    @Test
    void aDetailWithoutCredentialsHasNeitherCredentialsNorS3Path() {
        JsonNode file = VIEWS.file(new FileView(FILE, GET_URL, null), false);
        assertThat(file.has("credentials")).isFalse();
        assertThat(file.has("s3Path")).isFalse();
        assertThat(file.has("uploadParams")).isFalse();
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
