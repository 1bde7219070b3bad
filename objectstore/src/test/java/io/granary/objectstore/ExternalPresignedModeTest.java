package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.FileType;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Token;
import io.granary.core.storage.FileService;
import io.granary.core.storage.LocalFiles;
import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that mints no credentials: File Storage hands out presigned URLs and plain HTTP PUT and GET move
 * the bytes. The store is a real {@link EmbeddedS3} reached over HTTP as an external one.
 */
class ExternalPresignedModeTest {

    @TempDir
    static Path dir;
    static EmbeddedFixture fixture;
    static ExternalObjectStorage external;
    static FileService files;
    static final HttpClient http = HttpClient.newHttpClient();
    static final Token MASTER = new Token(1, "master", "hash", true, true, true, true, Map.of(), Instant.now(), null,
            null, null);

    @BeforeAll
    static void start() {
        fixture = new EmbeddedFixture(dir);
        external = ExternalObjectStorage.connect(fixture.external(CredentialsMode.PRESIGNED));
        files = new FileService(fixture.catalog, external.objectStore(), external.credentialIssuer(),
                Clock.systemUTC(), 1);
    }

    @AfterAll
    static void stop() {
        external.close();
        fixture.close();
    }

    @Test
    void prepareHandsOutAPresignedPutUrlAndAPlainPutUploadsTheFile() throws Exception {
        FileService.FileView prepared = files.prepare(MASTER, request("data.csv", false), null);
        assertThat(prepared.credentials()).isNull();
        assertThat(prepared.uploadUrl()).isNotNull();
        assertThat(prepared.uploadUrl().toString()).startsWith(fixture.endpoint() + "/" + EmbeddedFixture.BUCKET + "/"
                + prepared.file().key() + "?").contains("X-Amz-Signature=").doesNotContain(EmbeddedFixture.SECRET);
        assertThat(files.isUploaded(prepared.file())).isFalse();

        // what a client sends: a plain PUT, with a Content-Type the URL did not sign
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(prepared.uploadUrl()).header("Content-Type", "text/csv")
                .PUT(HttpRequest.BodyPublishers.ofString("id,name\n1,granary\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(files.isUploaded(prepared.file())).isTrue();

        // federationToken adds nothing: the presigned GET url is the way to read it
        FileService.FileView detail = files.get(MASTER, prepared.file().id(), true);
        assertThat(detail.credentials()).isNull();
        assertThat(detail.uploadUrl()).isNull();
        assertThat(get(detail.url()).body()).isEqualTo("id,name\n1,granary\n");

        // the server reads a remote store's objects through temp copies
        try (LocalFiles local = files.localFiles(detail.file(), Files.createDirectories(dir.resolve("tmp")))) {
            assertThat(local.paths()).hasSize(1);
            assertThat(local.paths().get(0)).hasContent("id,name\n1,granary\n");
        }
    }

    @Test
    void aPresignedPutUrlWritesItsOwnKeyOnly() throws Exception {
        FileService.FileView prepared = files.prepare(MASTER, request("mine.csv", false), null);
        String key = prepared.file().key();
        URI elsewhere = URI.create(prepared.uploadUrl().toString().replace(key, key.replace("mine", "yours")));
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(elsewhere).PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(403);
        // nor does the GET url of a file write anything
        HttpResponse<String> viaGetUrl = http.send(HttpRequest.newBuilder(prepared.url())
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(viaGetUrl.statusCode()).isEqualTo(403);
        assertThat(files.isUploaded(prepared.file())).isFalse();
    }

    @Test
    void refreshHandsOutANewPutUrl() throws Exception {
        FileService.FileView prepared = files.prepare(MASTER, request("late.csv", false), null);
        FileService.FileView refreshed = files.refresh(MASTER, prepared.file().id());
        assertThat(refreshed.credentials()).isNull();
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(refreshed.uploadUrl())
                .PUT(HttpRequest.BodyPublishers.ofString("late")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(get(refreshed.url()).body()).isEqualTo("late");
    }

    @Test
    void slicedUploadsAreRefusedWithAClearMessageAndNothingIsRegistered() {
        int before = files.list(MASTER, new FileService.ListRequest(null, null, null, null, null, null, null, true)).size();
        GranaryException e = catchThrowableOfType(GranaryException.class,
                () -> files.prepare(MASTER, request("sliced.csv", true), null));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.FILES_VALIDATION);
        assertThat(e.errorCode().status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("isSliced").contains("presigned URLs only")
                .contains("isSliced=false");
        assertThat(files.list(MASTER, new FileService.ListRequest(null, null, null, null, null, null, null, true)))
                .hasSize(before);
    }

    @Test
    void slicedFilesTheServerExportedAreReadableThroughTheirManifestUrl() throws Exception {
        StoredFile exported = ExportFilesTest.export(files, Files.createDirectories(dir.resolve("export")), "out.csv",
                FileType.CSV, List.of("\"1\",\"a\"\n"));
        FileService.FileView detail = files.get(MASTER, exported.id(), true);
        assertThat(detail.credentials()).isNull();
        assertThat(get(detail.url()).body()).startsWith("{\"entries\":[{\"url\":\"s3://" + EmbeddedFixture.BUCKET + "/");
        GranaryException e = catchThrowableOfType(GranaryException.class, () -> files.refresh(MASTER, exported.id()));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.FILES_VALIDATION);
    }

    private static FileService.PrepareRequest request(String name, boolean sliced) {
        return new FileService.PrepareRequest(name, null, null, false, false, false, sliced, List.of());
    }

    private static HttpResponse<String> get(URI url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }
}
