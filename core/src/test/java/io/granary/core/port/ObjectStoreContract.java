package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.port.ObjectStore.ObjectInfo;
import io.granary.core.util.FileTrees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link ObjectStore} must do. Subclasses open one store for the whole class (a store is an
 * endpoint to start, not a file to create); each test works under a key prefix of its own, so the tests
 * share the store without seeing each other's objects.
 *
 * <p>Capability hook: {@link #readsInPlace()}, whether the store hands out local paths of its objects
 * ({@link ObjectStore#localPath}) or none at all (every remote store).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ObjectStoreContract {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A scratch directory for the whole class: where the store keeps its state, and local files to store. */
    protected Path dir;

    protected ObjectStore store;

    private String prefix;

    /** A fresh, empty store keeping whatever it needs under {@code dir}. */
    protected abstract ObjectStore openStore(Path dir);

    /** Closes the store and whatever {@link #openStore} started with it. */
    protected abstract void closeStore(ObjectStore store);

    /** Whether {@link ObjectStore#localPath} gives the object's file (the embedded store); false for remote ones. */
    protected abstract boolean readsInPlace();

    @BeforeAll
    void open() throws IOException {
        dir = Files.createTempDirectory("granary-object-store-contract");
        store = openStore(dir);
    }

    @AfterAll
    void close() {
        try {
            closeStore(store);
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
    void describesItselfAndIsHealthy() {
        assertThat(store.bucket()).isNotBlank();
        assertThat(store.region()).isNotBlank();
        assertThat(store.endpoint()).isNotNull();
        assertThat(store.endpoint().isAbsolute()).isTrue();
        assertThat(store.isHealthy()).isTrue();
    }

    @Test
    void streamsAnUploadOfUnknownLength() throws IOException {
        long size = 20L * 1024 * 1024 + 12345;
        String key = key("files/big.bin");

        store.put(key, new GeneratedStream(size, 7), -1);

        ObjectInfo info = store.stat(key).orElseThrow();
        assertThat(info.key()).isEqualTo(key);
        assertThat(info.size()).isEqualTo(size);
        assertThat(info.lastModified()).isNotNull();
        byte[] expected = sha256(new GeneratedStream(size, 7));
        try (InputStream in = store.open(key).orElseThrow()) {
            assertThat(sha256(in)).isEqualTo(expected);
        }
        Optional<Path> local = store.localPath(key);
        assertThat(local.isPresent()).isEqualTo(readsInPlace());
        if (local.isPresent()) {
            try (InputStream in = Files.newInputStream(local.get())) {
                assertThat(sha256(in)).isEqualTo(expected);
            }
        }
    }

    @Test
    void putsSmallKnownLengthEmptyAndReplacedObjects() throws IOException {
        store.put(key("a.csv"), new ByteArrayInputStream(bytes("known")), 5);
        store.put(key("b.csv"), new ByteArrayInputStream(bytes("unknown but small")), -1);
        store.put(key("empty.csv"), new ByteArrayInputStream(new byte[0]), -1);
        store.put(key("a.csv"), new ByteArrayInputStream(bytes("replaced")), 8);

        assertThat(read(key("a.csv"))).isEqualTo("replaced");
        assertThat(read(key("b.csv"))).isEqualTo("unknown but small");
        assertThat(store.stat(key("empty.csv")).orElseThrow().size()).isZero();
    }

    @Test
    void putFileStoresALocalFile() throws IOException {
        Path file = Files.writeString(Files.createTempFile(dir, "put-file", ".csv"), "id,name\n1,granary\n");

        store.putFile(key("from-file.csv"), file);

        assertThat(read(key("from-file.csv"))).isEqualTo("id,name\n1,granary\n");
        assertThat(store.stat(key("from-file.csv")).orElseThrow().size()).isEqualTo(Files.size(file));
        assertThat(file).exists();
    }

    @Test
    void moveFileTakesTheFileAndTheObjectReadsAsIfUploaded() throws IOException {
        String content = "id,name\n1,moved\n";
        Path uploaded = Files.writeString(Files.createTempFile(dir, "upload", ".csv"), content);
        store.putFile(key("exports/uploaded.csv"), uploaded);
        Path moved = Files.writeString(Files.createTempFile(dir, "move", ".csv"), content);

        store.moveFile(key("exports/7.t.csv/0000_part_00.csv"), moved);

        assertThat(moved).doesNotExist();
        assertThat(read(key("exports/7.t.csv/0000_part_00.csv"))).isEqualTo(content);
        assertThat(store.list(key("exports/7.t.csv/"))).singleElement().satisfies(o -> {
            assertThat(o.size()).isEqualTo(content.length());
            assertThat(o.lastModified()).isNotNull();
        });
        // clients see the same object as after an upload: bytes and ETag (the content's MD5) alike
        HttpResponse<String> got = send(HttpRequest.newBuilder(store.presignGet(key("exports/7.t.csv/0000_part_00.csv"),
                Duration.ofMinutes(5))).GET());
        HttpResponse<String> reference = send(HttpRequest.newBuilder(store.presignGet(key("exports/uploaded.csv"),
                Duration.ofMinutes(5))).GET());
        assertThat(got.body()).isEqualTo(content);
        assertThat(got.headers().firstValue("ETag")).isPresent().isEqualTo(reference.headers().firstValue("ETag"));

        // an empty file, and a second move over an existing object
        store.moveFile(key("exports/7.t.csv/0001_part_00.csv"), Files.createTempFile(dir, "empty", ".csv"));
        assertThat(store.stat(key("exports/7.t.csv/0001_part_00.csv")).orElseThrow().size()).isZero();
        store.moveFile(key("exports/7.t.csv/0001_part_00.csv"),
                Files.writeString(Files.createTempFile(dir, "again", ".csv"), "again"));
        assertThat(read(key("exports/7.t.csv/0001_part_00.csv"))).isEqualTo("again");
    }

    @Test
    void presignedUrlsReadKeysWithSpacesPlusSignsAndNonAsciiAndNothingElse() {
        String odd = key("exports/a b+c \u017e=1.csv");
        store.put(odd, new ByteArrayInputStream(bytes("odd")), -1);
        store.put(key("exports/other.csv"), new ByteArrayInputStream(bytes("other")), -1);

        URI url = store.presignGet(odd, Duration.ofMinutes(5));
        assertThat(send(HttpRequest.newBuilder(url).GET()).body()).isEqualTo("odd");
        // the signature covers the key and the expiry: another key or a longer life is refused
        String name = url.getRawPath().substring(url.getRawPath().lastIndexOf('/') + 1);
        assertThat(name).doesNotContain(" ", "+", "\u017e");
        URI otherKey = URI.create(url.toString().replace("/" + name + "?", "/other.csv?"));
        assertThat(otherKey.getRawPath()).endsWith("/exports/other.csv");
        assertThat(send(HttpRequest.newBuilder(otherKey).GET()).statusCode()).isEqualTo(403);
        URI longer = URI.create(url.toString().replace("X-Amz-Expires=300", "X-Amz-Expires=600"));
        assertThat(longer).isNotEqualTo(url);
        assertThat(send(HttpRequest.newBuilder(longer).GET()).statusCode()).isEqualTo(403);
    }

    @Test
    void listsInKeyOrderDeletesAndReportsMissingObjects() {
        for (String name : new String[] {"exp-3/files/1.csv", "exp-3/files/2.csv", "exp-3/files/sub/3.csv",
                "exp-3/other.csv", "exp-30/x.csv"}) {
            store.put(key(name), new ByteArrayInputStream(bytes(name)), -1);
        }

        assertThat(store.list(key("exp-3/files/"))).extracting(ObjectInfo::key)
                .containsExactly(key("exp-3/files/1.csv"), key("exp-3/files/2.csv"), key("exp-3/files/sub/3.csv"));
        assertThat(store.list(key("exp-3/files/1"))).singleElement()
                .satisfies(o -> assertThat(o.size()).isEqualTo("exp-3/files/1.csv".length()));
        assertThat(store.list(key("exp-3/"))).hasSize(4);
        assertThat(store.list(key("nothing-here/"))).isEmpty();

        store.delete(key("exp-3/other.csv"));
        store.delete(key("exp-3/never-existed.csv"));
        assertThat(store.stat(key("exp-3/other.csv"))).isEmpty();
        assertThat(store.open(key("exp-3/other.csv"))).isEmpty();
        assertThat(store.localPath(key("exp-3/other.csv"))).isEmpty();

        store.deletePrefix(key("exp-3/files/"));
        assertThat(store.list(key("exp-3/"))).isEmpty();
        assertThat(store.list(key("exp-30/"))).hasSize(1);
        store.deletePrefix(key("nothing-here/"));
    }

    @Test
    void listsInPagesAfterAKey() {
        for (String name : new String[] {"page/a", "page/b", "page/c", "page/d", "page/e", "pages/x"}) {
            store.put(key(name), new ByteArrayInputStream(bytes(name)), -1);
        }

        assertThat(store.list(key("page/"), null, 2)).extracting(ObjectInfo::key)
                .containsExactly(key("page/a"), key("page/b"));
        assertThat(store.list(key("page/"), key("page/b"), 2)).extracting(ObjectInfo::key)
                .containsExactly(key("page/c"), key("page/d"));
        // fewer than the limit: the end of the listing
        assertThat(store.list(key("page/"), key("page/d"), 2)).extracting(ObjectInfo::key).containsExactly(key("page/e"));
        assertThat(store.list(key("page/"), key("page/e"), 2)).isEmpty();
        assertThat(store.list(key("page/"), key("page/bb"), 10)).extracting(ObjectInfo::key)
                .containsExactly(key("page/c"), key("page/d"), key("page/e"));
        // a page big enough is the whole listing, sizes and times included
        assertThat(store.list(key("page/"), null, 10)).hasSize(5).isEqualTo(store.list(key("page/")));
    }

    @Test
    void localPathOnlyForAStoreThatReadsInPlaceAndOnlyOfExistingObjects() throws IOException {
        store.put(key("x.csv"), new ByteArrayInputStream(bytes("x")), 1);

        Optional<Path> local = store.localPath(key("x.csv"));
        assertThat(local.isPresent()).isEqualTo(readsInPlace());
        if (local.isPresent()) {
            assertThat(Files.readString(local.get())).isEqualTo("x");
        }
        assertThat(store.localPath(key("missing.csv"))).isEmpty();
    }

    @Test
    void presignedUrlsLetPlainHttpPutAndGetTheirObject() throws IOException {
        String key = key("presigned.csv");
        URI put = store.presignPut(key, Duration.ofMinutes(5));

        // what a client sends: a plain PUT, with a Content-Type the URL did not sign
        HttpResponse<String> stored = send(HttpRequest.newBuilder(put).header("Content-Type", "text/csv")
                .PUT(HttpRequest.BodyPublishers.ofString("id,name\n1,granary\n")));
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(read(key)).isEqualTo("id,name\n1,granary\n");

        HttpResponse<String> got = send(HttpRequest.newBuilder(store.presignGet(key, Duration.ofMinutes(5))).GET());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("id,name\n1,granary\n");
    }

    @Test
    void presignedUrlsCoverTheirKeyAndMethodOnly() {
        String key = key("mine.csv");
        String elsewhere = key("yours.csv");
        URI put = store.presignPut(key, Duration.ofMinutes(5));

        URI otherKey = URI.create(put.toString().replace(key, elsewhere));
        assertThat(send(HttpRequest.newBuilder(otherKey).PUT(HttpRequest.BodyPublishers.ofString("x"))).statusCode())
                .isEqualTo(403);
        // nor does the GET url of an object write anything
        URI get = store.presignGet(key, Duration.ofMinutes(5));
        assertThat(send(HttpRequest.newBuilder(get).PUT(HttpRequest.BodyPublishers.ofString("x"))).statusCode())
                .isEqualTo(403);
        assertThat(store.stat(key)).isEmpty();
        assertThat(store.stat(elsewhere)).isEmpty();
    }

    @Test
    void aPresignedGetStopsWorkingWhenItsLifetimeHasPassed() throws Exception {
        store.put(key("report.csv"), new ByteArrayInputStream(bytes("a,b\n1,2\n")), -1);

        // presigned URLs carry whole-second times, so a URL signed late in a second has up to a second less
        long start = System.nanoTime();
        URI url = store.presignGet(key("report.csv"), Duration.ofSeconds(3));
        HttpResponse<String> fresh = send(HttpRequest.newBuilder(url).GET());
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(fresh.body()).isEqualTo("a,b\n1,2\n");

        Thread.sleep(Math.max(0, Duration.ofMillis(3100).minusNanos(System.nanoTime() - start).toMillis()));

        assertThat(send(HttpRequest.newBuilder(url).GET()).statusCode()).isEqualTo(403);
    }

    private String read(String key) throws IOException {
        try (InputStream in = store.open(key).orElseThrow()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Pseudo-random bytes of a given length, generated on the fly so the test never holds them all. */
    protected static final class GeneratedStream extends InputStream {
        private final long size;
        private final long seed;
        private long position;

        public GeneratedStream(long size, long seed) {
            this.size = size;
            this.seed = seed;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == size) {
                return -1;
            }
            // odd-sized short reads make sure the uploader fills whole parts from many reads
            int n = (int) Math.min(Math.min(len, 100_003), size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) (((position + i + seed) * 0x9E3779B97F4A7C15L) >>> 56);
            }
            position += n;
            return n;
        }
    }
}
