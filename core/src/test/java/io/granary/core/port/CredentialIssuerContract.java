package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.model.Token;
import io.granary.core.storage.FileService;
import io.granary.core.util.FileTrees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link CredentialIssuer} must do, checked through the store its credentials are for: a client
 * signing with issued credentials may do what they were issued for and nothing else, until they expire.
 * Subclasses open the issuer (and its store) once for the whole class; each test works under a key prefix
 * of its own.
 *
 * <p>Capability hooks:
 * <ul>
 * <li>{@link CredentialIssuer#mintsCredentials()} (the port's own): an issuer that mints nothing must refuse
 * every {@link CredentialIssuer#issue} with {@link UnsupportedOperationException}, and each test checks that
 * instead of what it checks of minted credentials;</li>
 * <li>{@link #storeChecksCredentials()}: false where no store that honours the issuer's credentials runs in the
 * test (STS credentials are checked by AWS S3 or MinIO, neither of which runs here); the tests that need such a
 * store are then skipped, and only what the issuer itself promises is checked;</li>
 * <li>{@link #credentialsEndWithTheirFile()}: whether credentials minted for a file stop working when the file is
 * deleted, before they expire (Granary's own endpoints check the file on every request; STS credentials cannot
 * be revoked, they only expire).</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class CredentialIssuerContract {

    private static final Duration HOUR = Duration.ofHours(1);

    /** A scratch directory for the whole class. */
    protected Path dir;

    protected CredentialIssuer issuer;

    private String prefix;

    /** The issuer under test, with its store when {@link #storeChecksCredentials()}; state under {@code dir}. */
    protected abstract CredentialIssuer openIssuer(Path dir);

    /** Closes the issuer and whatever {@link #openIssuer} started with it. */
    protected abstract void closeIssuer(CredentialIssuer issuer);

    /** Whether a store that checks the issued credentials runs in this test ({@link #store()}, {@link #client}). */
    protected boolean storeChecksCredentials() {
        return true;
    }

    /** Whether credentials minted for a file stop working once the file is deleted (see the class comment). */
    protected boolean credentialsEndWithTheirFile() {
        return true;
    }

    /** The store the credentials are for, as the server sees it (its own full access). */
    protected abstract ObjectStore store();

    /** The catalog File Storage keeps its files in, beside {@link #store()}. */
    protected abstract Catalog catalog();

    /** A plain S3 client of {@link #store()} signing with {@code credentials}, as Keboola's clients use them. */
    protected abstract StoreClient client(IssuedCredentials credentials);

    /** Called with the credentials {@link #credentialsStopWorkingWhenTheyExpire} let expire, once they have. */
    protected void expired(List<IssuedCredentials> credentials) {
    }

    /** What a test does with issued credentials: single objects, in and out. */
    public interface StoreClient extends AutoCloseable {

        /** Stores {@code content} under {@code key}; false when the store refuses the request. */
        boolean put(String key, String content);

        /** The object under {@code key}; empty when the store refuses the request. */
        Optional<String> get(String key);

        @Override
        void close();
    }

    @BeforeAll
    void open() throws IOException {
        dir = Files.createTempDirectory("granary-credential-issuer-contract");
        issuer = openIssuer(dir);
    }

    @AfterAll
    void close() {
        try {
            closeIssuer(issuer);
        } finally {
            FileTrees.delete(dir);
        }
    }

    @BeforeEach
    void prefix(TestInfo test) {
        prefix = "contract/" + test.getTestMethod().orElseThrow().getName() + "/";
    }

    /** {@code name} under this test's own prefix. */
    protected String key(String name) {
        return prefix + name;
    }

    @Test
    void mintedCredentialsAreNewEachTimeAndExpireAsReturned() {
        if (!issuer.mintsCredentials()) {
            assertMintsNothing(() -> issuer.issue(key("a.csv"), false, Access.UPLOAD, HOUR));
            return;
        }
        Instant before = Instant.now();
        IssuedCredentials first = issuer.issue(key("a.csv"), false, Access.UPLOAD, HOUR);
        IssuedCredentials second = issuer.issue(key("a.csv"), false, Access.UPLOAD, HOUR);

        assertThat(first.accessKeyId()).isNotBlank();
        assertThat(first.secretAccessKey()).isNotBlank();
        // an hour is within what every store allows, so it is what the issuer gives
        assertThat(first.expiration()).isBetween(before.plus(HOUR).minusSeconds(60), Instant.now().plus(HOUR).plusSeconds(60));
        assertThat(second.accessKeyId()).isNotEqualTo(first.accessKeyId());
        assertThat(second.secretAccessKey()).isNotEqualTo(first.secretAccessKey());
    }

    @Test
    void aLifetimeThatIsNotPositiveIsRefused() {
        for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), null}) {
            if (!issuer.mintsCredentials()) {
                assertMintsNothing(() -> issuer.issue(key("a.csv"), false, Access.DOWNLOAD, ttl));
            } else {
                assertThatThrownBy(() -> issuer.issue(key("a.csv"), false, Access.DOWNLOAD, ttl))
                        .as("ttl %s", ttl).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void uploadCredentialsWriteTheirKeyOnly() {
        String key = key("mine.csv");
        String other = key("other.csv");
        if (!issuer.mintsCredentials()) {
            assertMintsNothing(() -> issuer.issue(key, false, Access.UPLOAD, HOUR));
            return;
        }
        assumeStoreChecksCredentials();
        seed(other, "not yours");

        try (StoreClient client = client(issuer.issue(key, false, Access.UPLOAD, HOUR))) {
            assertThat(client.put(key, "mine")).isTrue();
            assertThat(client.put(other, "overwrite")).as("put of another key").isFalse();
            assertThat(client.get(key)).as("get with upload credentials").isEmpty();
            assertThat(client.get(other)).as("get of another key").isEmpty();
        }
        assertThat(read(key)).isEqualTo("mine");
        assertThat(read(other)).isEqualTo("not yours");
    }

    @Test
    void downloadCredentialsReadTheirKeyOnly() {
        String key = key("download.csv");
        String other = key("other.csv");
        if (!issuer.mintsCredentials()) {
            assertMintsNothing(() -> issuer.issue(key, false, Access.DOWNLOAD, HOUR));
            return;
        }
        assumeStoreChecksCredentials();
        seed(key, "0123456789abcdef");
        seed(other, "secret");

        try (StoreClient client = client(issuer.issue(key, false, Access.DOWNLOAD, HOUR))) {
            assertThat(client.get(key)).contains("0123456789abcdef");
            assertThat(client.get(other)).as("get of another key").isEmpty();
            assertThat(client.put(key, "overwrite")).as("put with download credentials").isFalse();
        }
        assertThat(read(key)).isEqualTo("0123456789abcdef");
    }

    @Test
    void prefixCredentialsCoverEveryKeyUnderThePrefixOnly() {
        String prefix = key("sliced.csv_");
        if (!issuer.mintsCredentials()) {
            assertMintsNothing(() -> issuer.issue(prefix, true, Access.UPLOAD, HOUR));
            return;
        }
        assumeStoreChecksCredentials();

        try (StoreClient client = client(issuer.issue(prefix, true, Access.UPLOAD, HOUR))) {
            assertThat(client.put(prefix + "part0001.csv", "a")).isTrue();
            assertThat(client.put(prefix + "sub/part0002.csv", "b")).isTrue();
            assertThat(client.put(prefix + "manifest", "{\"entries\":[]}")).isTrue();
            assertThat(client.put(key("sliced.csv"), "sibling")).as("the prefix without its end").isFalse();
            assertThat(client.put(key("other_1"), "sibling")).as("a sibling").isFalse();
        }
        try (StoreClient client = client(issuer.issue(prefix, true, Access.DOWNLOAD, HOUR))) {
            assertThat(client.get(prefix + "sub/part0002.csv")).contains("b");
            assertThat(client.get(prefix + "manifest")).contains("{\"entries\":[]}");
        }
        assertThat(store().stat(key("sliced.csv"))).isEmpty();
        assertThat(store().stat(key("other_1"))).isEmpty();
    }

    @Test
    void credentialsStopWorkingWhenTheyExpire() throws InterruptedException {
        String key = key("report.csv");
        if (!issuer.mintsCredentials()) {
            assertMintsNothing(() -> issuer.issue(key, false, Access.DOWNLOAD, Duration.ofSeconds(2)));
            return;
        }
        assumeStoreChecksCredentials();
        seed(key, "a,b\n1,2\n");
        IssuedCredentials upload = issuer.issue(key("upload.csv"), false, Access.UPLOAD, Duration.ofSeconds(2));
        IssuedCredentials download = issuer.issue(key, false, Access.DOWNLOAD, Duration.ofSeconds(2));

        try (StoreClient uploader = client(upload); StoreClient downloader = client(download)) {
            assertThat(uploader.put(key("upload.csv"), "x")).isTrue();
            assertThat(downloader.get(key)).contains("a,b\n1,2\n");

            // the expiration handed out is the one in force
            Instant end = upload.expiration().isAfter(download.expiration()) ? upload.expiration() : download.expiration();
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), end).toMillis() + 100));

            assertThat(uploader.put(key("upload.csv"), "late")).as("put after expiry").isFalse();
            assertThat(downloader.get(key)).as("get after expiry").isEmpty();
        }
        assertThat(read(key("upload.csv"))).isEqualTo("x");
        expired(List.of(upload, download));
    }

    @Test
    void credentialsForAFileEndWhenTheFileIsDeleted() {
        if (!issuer.mintsCredentials()) {
            assertMintsNothing(() -> issuer.issue(key("a.csv"), false, Access.UPLOAD, HOUR));
            return;
        }
        assumeStoreChecksCredentials();
        Assumptions.assumeTrue(credentialsEndWithTheirFile(), "this issuer's credentials end only when they expire");
        Token master = new Token(1, "master", "hash", true, true, true, true, Map.of(), Instant.now(), null, null, null);
        FileService files = new FileService(catalog(), store(), issuer, Clock.systemUTC(), 1);
        FileService.FileView file = files.prepare(master, new FileService.PrepareRequest("ends-with-its-file.csv", null,
                null, false, false, false, false, List.of()), null);
        String key = file.file().key();

        try (StoreClient uploader = client(file.credentials())) {
            assertThat(uploader.put(key, "v1")).isTrue();
            IssuedCredentials download = files.get(master, file.file().id(), true).credentials();
            try (StoreClient downloader = client(download)) {
                assertThat(downloader.get(key)).contains("v1");

                files.delete(master, file.file().id());

                assertThat(uploader.put(key, "v2")).as("put after the file was deleted").isFalse();
                assertThat(downloader.get(key)).as("get after the file was deleted").isEmpty();
            }
        }
        assertThat(store().stat(key)).isEmpty();
    }

    private void assumeStoreChecksCredentials() {
        Assumptions.assumeTrue(storeChecksCredentials(), "no store that checks these credentials runs in this test");
    }

    private static void assertMintsNothing(Runnable issue) {
        assertThatThrownBy(issue::run).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("presigned");
    }

    private void seed(String key, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        store().put(key, new ByteArrayInputStream(bytes), bytes.length);
    }

    private String read(String key) {
        try (InputStream in = store().open(key).orElseThrow()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
