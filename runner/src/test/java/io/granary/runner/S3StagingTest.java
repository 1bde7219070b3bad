package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageClient;
import io.granary.server.support.EmbeddedGranary;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 input staging (spec 4.4) with a real component: a Python program on boto3 that reads the gzipped, sliced export
 * with nothing but the manifest's {@code s3} section and its environment.
 */
class S3StagingTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();
    /** A store that mints no credentials: only presigned URLs, which cannot read a sliced export. */
    @RegisterExtension
    static EmbeddedGranary presigned = EmbeddedGranary.withPresignedStore();
    static StorageClient client;

    @TempDir
    Path tmp;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        Components.requireBoto3();
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    static Path shout() throws URISyntaxException {
        return Path.of(S3StagingTest.class.getResource("/components/shout.py").toURI());
    }

    RunResult run(String config, StagingModes modes, Path data) throws Exception {
        return run(client, config, modes, data);
    }

    RunResult run(StorageClient client, String config, StagingModes modes, Path data) throws Exception {
        Path cfg = Files.writeString(Files.createTempFile(tmp, "config", ".json"), config);
        return new Runner(client, (level, message) -> log.add(level + " " + message)).run(new RunRequest(cfg, "c.shout",
                null, data, List.of("python3", shout().toString()), Duration.ofSeconds(120), null, false, false, "in",
                modes));
    }

    static String config(String source, String destination) {
        return """
                {"storage": {"input": {"tables": [{"source": "%s", "destination": "people.csv",
                                                   "columns": ["id", "name", "note"]}],
                                       "files": [{"tags": ["s3-staging-notes"]}]},
                             "output": {"tables": [{"source": "result.csv", "destination": "%s",
                                                    "primary_key": ["id"]}]}}}
                """.formatted(source, destination);
    }

    @Test
    void aComponentOnS3StagingMakesTheSameTableAsOnLocalStaging() throws Exception {
        Components.table(client, "s3-src", "people", "id,name,note,extra\n1,ann,\"with, comma\",x\n"
                + "2,bob,\"two\nlines\",y\n3,cyd,\"a \"\"quote\"\"\",z\n4,dörte,ünïcode,w\n", List.of("id"));
        Path note = Files.writeString(tmp.resolve("notes.txt"), "files are not staged\n");
        long fileId = client.uploadFile(note, FileUploadOptions.defaults().tags(List.of("s3-staging-notes")));

        RunResult local = run(config("in.c-s3-src.people", "out.c-s3.local"), StagingModes.LOCAL, tmp.resolve("local"));
        assertThat(local.exitCode()).as(local.message() + "\n" + log).isZero();
        Path data = tmp.resolve("s3");
        RunResult s3 = run(config("in.c-s3-src.people", "out.c-s3.s3"), new StagingModes("s3", "local", null), data);
        assertThat(s3.exitCode()).as(s3.message() + "\n" + log).isZero();

        assertThat(Components.content(client, "out.c-s3.s3")).isEqualTo(Components.content(client, "out.c-s3.local"))
                .contains("id|name|note|shout", "2|bob|two\nlines|BOB", "4|dörte|ünïcode|DÖRTE");
        assertThat(client.getTable("out.c-s3.s3").path("primaryKey").get(0).asText()).isEqualTo("id");

        // what the component saw: a manifest and no data file, the store's endpoint in its environment
        JsonNode seen = Json.read(data.resolve("seen.json"));
        assertThat(Json.strings(seen.get("files"))).containsExactly("people.csv.manifest");
        // files are downloaded as on local staging (4.4): only tables stay in File Storage
        assertThat(Json.strings(seen.get("in_files"))).containsExactly(fileId + "_notes.txt",
                fileId + "_notes.txt.manifest");
        assertThat(data.resolve("in/files/" + fileId + "_notes.txt")).hasContent("files are not staged\n");
        assertThat(seen.path("rows").asInt()).isEqualTo(4);
        assertThat(seen.path("AWS_ENDPOINT_URL_S3").asText()).isEqualTo(client.s3Endpoint().toString());
        assertThat(seen.path("AWS_ENDPOINT_URL").asText()).isEqualTo(client.s3Endpoint().toString());

        JsonNode manifest = Json.read(data.resolve("in/tables/people.csv.manifest"));
        assertThat(Json.strings(manifest.get("columns"))).containsExactly("id", "name", "note");
        assertThat(manifest.path("id").asText()).isEqualTo("in.c-s3-src.people");
        JsonNode section = manifest.path("s3");
        assertThat(fieldNames(section)).containsExactly("isSliced", "region", "bucket", "key", "credentials");
        assertThat(fieldNames(section.get("credentials"))).containsExactly("access_key_id", "secret_access_key",
                "session_token");
        assertThat(section.path("isSliced").asBoolean()).isTrue();
        assertThat(section.path("key").asText()).endsWith("manifest");
        assertThat(section.path("region").asText()).isNotEmpty();
        assertThat(log).contains("INFO Processing 1 S3 table exports.");
        // the export's credentials are secrets of the run: nothing logged shows them
        String secret = section.path("credentials").path("secret_access_key").asText();
        assertThat(log).noneMatch(line -> line.contains(secret));
    }

    @Test
    void aMissingTableFailsTheRunBeforeTheComponent() throws Exception {
        RunResult r = run(config("in.c-s3-src.missing", "out.c-s3.never"), new StagingModes("s3", "local", null),
                tmp.resolve("missing"));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.message()).startsWith("Cannot import data from Storage API: ");
        assertThat(tmp.resolve("missing/seen.json")).doesNotExist();
        assertThat(Components.exists(client, "out.c-s3.never")).isFalse();
    }

    @Test
    void aStoreThatMintsNoCredentialsHasNoS3Staging() throws Exception {
        try (StorageClient other = StorageClient.create(presigned.url(), EmbeddedGranary.MASTER_TOKEN)) {
            Components.table(other, "s3-src", "people", "id,name,note\n1,ann,x\n", List.of());
            RunResult r = run(other, config("in.c-s3-src.people", "out.c-s3.never"), new StagingModes("s3", "local", null),
                    tmp.resolve("presigned"));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.message()).isEqualTo("This project does not have S3 backend.");
            assertThat(tmp.resolve("presigned/in/tables/people.csv.manifest")).doesNotExist();
            assertThat(tmp.resolve("presigned/seen.json")).doesNotExist();
            assertThat(Components.exists(other, "out.c-s3.never")).isFalse();
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
