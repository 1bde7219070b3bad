package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.GranaryException;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.ObjectStore.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ObjectStoreTest {

    @TempDir
    static Path dir;
    static EmbeddedFixture fixture;
    static ObjectStore store;

    @BeforeAll
    static void start() {
        fixture = new EmbeddedFixture(dir);
        store = fixture.storage.objectStore();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void describesItself() {
        assertThat(store.bucket()).isEqualTo("granary");
        assertThat(store.region()).isEqualTo("us-east-1");
        assertThat(store.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + fixture.storage.s3().port()));
        assertThat(fixture.storage.s3().port()).isPositive();
        assertThat(store.isHealthy()).isTrue();
    }

    @Test
    void streamsAnUploadOfUnknownLengthAsMultipart() throws Exception {
        long size = 20L * 1024 * 1024 + 12345;
        String key = "exp-1/files/big.bin";

        store.put(key, new GeneratedStream(size, 7), -1);

        try (var system = fixture.systemClient()) {
            // 20 MiB in 8 MiB parts: a multipart upload of three parts
            assertThat(system.headObject(b -> b.bucket("granary").key(key)).eTag()).endsWith("-3\"");
        }
        ObjectInfo info = store.stat(key).orElseThrow();
        assertThat(info.key()).isEqualTo(key);
        assertThat(info.size()).isEqualTo(size);
        assertThat(info.lastModified()).isNotNull();
        byte[] expected = sha256(new GeneratedStream(size, 7));
        try (InputStream in = store.open(key).orElseThrow()) {
            assertThat(sha256(in)).isEqualTo(expected);
        }
        Path local = store.localPath(key).orElseThrow();
        assertThat(local).isEqualTo(dir.resolve("objects/granary/exp-1/files/big.bin").toAbsolutePath().normalize());
        try (InputStream in = Files.newInputStream(local)) {
            assertThat(sha256(in)).isEqualTo(expected);
        }
    }

    @Test
    void putsSmallAndKnownLengthObjects() throws Exception {
        store.put("exp-2/a.csv", new ByteArrayInputStream(bytes("known")), 5);
        store.put("exp-2/b.csv", new ByteArrayInputStream(bytes("unknown but small")), -1);
        store.put("exp-2/empty.csv", new ByteArrayInputStream(new byte[0]), -1);
        store.put("exp-2/a.csv", new ByteArrayInputStream(bytes("replaced")), 8);

        assertThat(read("exp-2/a.csv")).isEqualTo("replaced");
        assertThat(read("exp-2/b.csv")).isEqualTo("unknown but small");
        assertThat(store.stat("exp-2/empty.csv").orElseThrow().size()).isZero();
    }

    @Test
    void listsDeletesAndReportsMissingObjects() {
        for (String key : new String[] {"exp-3/files/1.csv", "exp-3/files/2.csv", "exp-3/files/sub/3.csv",
                "exp-3/other.csv", "exp-30/x.csv"}) {
            store.put(key, new ByteArrayInputStream(bytes(key)), -1);
        }

        assertThat(store.list("exp-3/files/")).extracting(ObjectInfo::key)
                .containsExactly("exp-3/files/1.csv", "exp-3/files/2.csv", "exp-3/files/sub/3.csv");
        assertThat(store.list("exp-3/files/1")).singleElement()
                .satisfies(o -> assertThat(o.size()).isEqualTo("exp-3/files/1.csv".length()));
        assertThat(store.list("exp-3/")).hasSize(4);
        assertThat(store.list("nothing-here/")).isEmpty();

        store.delete("exp-3/other.csv");
        store.delete("exp-3/never-existed.csv");
        assertThat(store.stat("exp-3/other.csv")).isEmpty();
        assertThat(store.open("exp-3/other.csv")).isEmpty();
        assertThat(store.localPath("exp-3/other.csv")).isEmpty();

        store.deletePrefix("exp-3/files/");
        assertThat(store.list("exp-3/")).isEmpty();
        assertThat(store.list("exp-30/")).hasSize(1);
        store.deletePrefix("nothing-here/");
    }

    @Test
    void localPathStaysInsideTheBucket() {
        store.put("exp-4/x.csv", new ByteArrayInputStream(bytes("x")), 1);
        assertThat(store.localPath("exp-4/x.csv")).isPresent();
        assertThat(store.localPath("exp-4/../exp-4/x.csv")).isPresent();
        assertThat(store.localPath("../catalog.duckdb")).isEmpty();
        assertThat(store.localPath("exp-4")).isEmpty();
        assertThat(store.localPath("")).isEmpty();
    }

    @Test
    void aRemoteStoreHasNoLocalPathsAndAnUnreachableOneIsUnhealthy() throws Exception {
        store.put("exp-5/x.csv", new ByteArrayInputStream(bytes("x")), 1);
        try (S3ObjectStore remote = new S3ObjectStore(fixture.endpoint(), "granary", null, EmbeddedFixture.ACCESS_KEY,
                EmbeddedFixture.SECRET, null)) {
            assertThat(remote.localPath("exp-5/x.csv")).isEmpty();
            assertThat(remote.stat("exp-5/x.csv")).isPresent();
        }
        int freePort;
        try (var socket = new java.net.ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        try (S3ObjectStore down = new S3ObjectStore(URI.create("http://127.0.0.1:" + freePort), "granary", null,
                EmbeddedFixture.ACCESS_KEY, EmbeddedFixture.SECRET, null)) {
            assertThat(down.isHealthy()).isFalse();
            assertThatThrownBy(() -> down.stat("x"))
                    .isInstanceOf(GranaryException.class)
                    .hasMessageContaining("stat of 'x'")
                    .hasMessageNotContaining(EmbeddedFixture.SECRET);
        }
        try (S3ObjectStore wrongKey = new S3ObjectStore(fixture.endpoint(), "granary", null, EmbeddedFixture.ACCESS_KEY,
                "wrong-secret", null)) {
            assertThat(wrongKey.isHealthy()).isFalse();
            assertThatThrownBy(() -> wrongKey.list("exp-5/"))
                    .isInstanceOf(GranaryException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageNotContaining("wrong-secret");
        }
    }

    private static String read(String key) throws IOException {
        try (InputStream in = store.open(key).orElseThrow()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return digest.digest();
    }

    /** Pseudo-random bytes of a given length, generated on the fly so the test never holds them all. */
    static final class GeneratedStream extends InputStream {
        private final long size;
        private final long seed;
        private long position;

        GeneratedStream(long size, long seed) {
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
