package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.GranaryException;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.ObjectStoreContract;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The embedded store (S3ObjectStore on the embedded S3 endpoint, read in place): the contract, and what only it does. */
class EmbeddedS3ObjectStoreTest extends ObjectStoreContract {

    private EmbeddedFixture fixture;

    @Override
    protected ObjectStore openStore(Path dir) {
        fixture = new EmbeddedFixture(dir);
        return fixture.storage.objectStore();
    }

    @Override
    protected void closeStore(ObjectStore store) {
        fixture.close();
    }

    @Override
    protected boolean readsInPlace() {
        return true;
    }

    @Test
    void describesItselfAsTheEmbeddedEndpoint() {
        assertThat(store.bucket()).isEqualTo("granary");
        assertThat(store.region()).isEqualTo("us-east-1");
        assertThat(store.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + fixture.storage.s3().port()));
        assertThat(fixture.storage.s3().port()).isPositive();
    }

    @Test
    void anUploadOfUnknownLengthGoesUpAsAMultipartUploadOfPartSizedParts() {
        String key = key("big.bin");
        store.put(key, new GeneratedStream(2L * S3ObjectStore.PART_SIZE + 12345, 7), -1);

        try (var system = fixture.systemClient()) {
            // two full parts and the rest: a multipart upload of three parts
            assertThat(system.headObject(b -> b.bucket("granary").key(key)).eTag()).endsWith("-3\"");
        }
    }

    @Test
    void localPathIsTheObjectsFileAndStaysInsideTheBucket() {
        store.put(key("exp-4/x.csv"), new ByteArrayInputStream(bytes("x")), 1);

        assertThat(store.localPath(key("exp-4/x.csv"))).contains(dir.resolve("objects/granary").resolve(key("exp-4/x.csv"))
                .toAbsolutePath().normalize());
        assertThat(store.localPath(key("exp-4/../exp-4/x.csv"))).isPresent();
        assertThat(store.localPath("../catalog.sqlite")).isEmpty();
        assertThat(store.localPath(key("exp-4"))).isEmpty();
        assertThat(store.localPath("")).isEmpty();
    }

    @Test
    void moveFileRefusesKeysTheEndpointWouldRefuse() throws Exception {
        Path file = Files.writeString(dir.resolve("slice.csv"), "x");
        for (String key : new String[] {"../catalog.duckdb", key("a/../b.csv"), key("a//b.csv"), key("./b.csv"), "/x"}) {
            assertThatThrownBy(() -> store.moveFile(key, file)).as(key)
                    .isInstanceOfSatisfying(GranaryException.class,
                            e -> assertThat(e.getMessage()).contains("is not a plain path inside the bucket"));
        }
        assertThat(file).exists();
    }

    @Test
    void deleteRemovesTheObjectsFileAndTheDirectoriesItLeftEmptyButNothingElse() throws Exception {
        store.put(key("del/a/one.csv"), new ByteArrayInputStream(bytes("1")), 1);
        store.put(key("del/b/two.csv"), new ByteArrayInputStream(bytes("2")), 1);
        Path bucket = dir.resolve("objects/granary");
        Path outside = Files.writeString(dir.resolve("objects/keep.txt"), "not an object");

        store.delete(key("del/a/one.csv"));
        store.delete(key("del/a/one.csv")); // already gone: no error
        store.delete("../keep.txt");

        assertThat(bucket.resolve(key("del/a"))).doesNotExist();
        assertThat(bucket.resolve(key("del/b/two.csv"))).hasContent("2");
        assertThat(outside).hasContent("not an object");
        try (var system = fixture.systemClient()) {
            // the endpoint agrees: the object is gone, its neighbour is served
            assertThat(system.listObjectsV2(b -> b.bucket("granary").prefix(key("del/"))).contents())
                    .extracting(o -> o.key()).containsExactly(key("del/b/two.csv"));
        }
    }
}
