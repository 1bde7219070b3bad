package io.granary.objectstore;

import static io.granary.objectstore.SessionTokenTest.MASTER;
import static io.granary.objectstore.SessionTokenTest.prepare;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.granary.core.model.FileType;
import io.granary.core.model.StoredFile;
import io.granary.core.port.ObjectStore;
import io.granary.core.storage.FileService;
import io.granary.core.storage.FileService.FileView;
import io.granary.core.storage.OrphanSweep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Objects under the files prefixes that no file record owns are removed, a bounded number per pass and
 * each one logged; live files' objects (uploaded, prepared and still uploading, sliced), young objects and
 * everything outside the files prefixes stay. A real embedded store and catalog, files made by {@link FileService}.
 */
class OrphanSweepTest {

    @TempDir
    Path dir;
    EmbeddedFixture fixture;
    FileService files;
    ObjectStore store;
    S3Client system;
    ListAppender<ILoggingEvent> log;

    @BeforeEach
    void start() {
        fixture = new EmbeddedFixture(dir);
        store = fixture.storage.objectStore();
        files = new FileService(fixture.catalog, store, fixture.storage.credentialIssuer(), Clock.systemUTC(), 1);
        system = fixture.systemClient();
        log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(OrphanSweep.class);
        logger.setLevel(Level.INFO);
        logger.addAppender(log);
    }

    @AfterEach
    void stop() {
        Logger logger = (Logger) LoggerFactory.getLogger(OrphanSweep.class);
        logger.detachAppender(log);
        logger.setLevel(null);
        system.close();
        fixture.close();
    }

    @Test
    void objectsNoRecordOwnsAreRemovedAndLiveFilesStay() throws Exception {
        FileView uploaded = prepare(files, "uploaded.csv", false);
        put(uploaded.file().key(), "live");
        FileView uploading = prepare(files, "uploading.csv", true);
        put(uploading.file().key() + "part0", "first slice, manifest still to come");
        StoredFile exported = ExportFilesTest.export(files, Files.createDirectories(dir.resolve("export")), "export",
                FileType.CSV, List.of("a\n", "b\n"));
        FileView deleted = prepare(files, "deleted.csv", false);
        files.delete(MASTER, deleted.file().id());
        put(deleted.file().key(), "written after the delete");
        FileView deletedSliced = prepare(files, "deleted-sliced.csv", true);
        files.delete(MASTER, deletedSliced.file().id());
        put(deletedSliced.file().key() + "part0", "late slice");
        put(deletedSliced.file().key() + "manifest", "{}");
        String notAFileKey = "exp-15/1/files/stray.csv";
        put(notAFileKey, "no file is named like this");
        // a non-sliced file owns its key only, not what merely starts with it
        put(uploaded.file().key() + ".copy", "not the file");
        List<String> outside = List.of("exp-15/1/other/x.csv", "exp-15/2/files/2026/01/01/1.other-project.csv",
                "workspace/1/x.csv");
        for (String key : outside) {
            put(key, "not under this project's files prefix");
        }

        int removed = new OrphanSweep(fixture.catalog, store, Clock.systemUTC(), 1, Duration.ZERO, 100).sweep();

        assertThat(removed).isEqualTo(5);
        assertThat(keys()).containsExactlyInAnyOrderElementsOf(concat(List.of(uploaded.file().key(),
                uploading.file().key() + "part0", exported.key() + "0000_part_00.csv", exported.key() + "0001_part_00.csv",
                exported.key() + "manifest"), outside));
        assertThat(Files.exists(fixture.root.resolve(EmbeddedFixture.BUCKET).resolve(deleted.file().key()))).isFalse();
        assertThat(messages()).containsExactlyInAnyOrder(
                removedLine(deleted.file().key(), 24), removedLine(deletedSliced.file().key() + "part0", 10),
                removedLine(deletedSliced.file().key() + "manifest", 2), removedLine(notAFileKey, 26),
                removedLine(uploaded.file().key() + ".copy", 12));
        // an export's slices are written before its record: the sweep leaves young objects alone
        put(deleted.file().key(), "again");
        assertThat(new OrphanSweep(fixture.catalog, store, Clock.systemUTC(), 1).sweep()).isZero();
        assertThat(store.stat(deleted.file().key())).isPresent();
    }

    @Test
    void eachPassListsABoundedNumberAndTheNextResumesWhereItStopped() {
        List<String> orphans = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            FileView file = prepare(files, "orphan-" + i + ".csv", false);
            files.delete(MASTER, file.file().id());
            put(file.file().key(), "orphan " + i);
            orphans.add(file.file().key());
        }
        FileView live = prepare(files, "live.csv", false);
        put(live.file().key(), "live");
        put("permanent/1/files/2026/01/01/999.gone.csv", "a permanent file's leftover");
        OrphanSweep sweep = new OrphanSweep(fixture.catalog, store, Clock.systemUTC(), 1, Duration.ZERO, 3);

        assertThat(sweep.sweep()).isEqualTo(4); // three of the exp-15 prefix, and the permanent one
        assertThat(keys()).hasSize(5);
        assertThat(sweep.sweep()).isEqualTo(3); // the next three of exp-15
        assertThat(sweep.sweep()).isEqualTo(1); // the last orphan and the live file: the end, start over next time
        assertThat(keys()).containsExactly(live.file().key());
        assertThat(sweep.sweep()).isZero();
        assertThat(messages()).hasSize(8);
    }

    private void put(String key, String content) {
        system.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString(content));
    }

    private List<String> keys() {
        return store.list("").stream().map(ObjectStore.ObjectInfo::key).toList();
    }

    private List<String> messages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).map(m -> m.replaceAll(", last written .*", ""))
                .toList();
    }

    private static String removedLine(String key, long size) {
        return "removed object " + key + " (" + size + " bytes";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
