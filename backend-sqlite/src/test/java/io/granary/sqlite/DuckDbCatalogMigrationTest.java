package io.granary.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Access;
import io.granary.core.model.Bucket;
import io.granary.core.model.FileQuery;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.JobLock;
import io.granary.core.model.JobStatus;
import io.granary.core.model.Metadata;
import io.granary.core.model.NewJob;
import io.granary.core.model.Permission;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import io.granary.core.port.CatalogStore;
import io.granary.core.port.Settings;
import io.granary.core.port.StoreContext;
import io.granary.duckdb.DuckDbCatalog;
import io.granary.duckdb.DuckDbDatabase;
import io.granary.duckdb.DuckDbJobQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory of the previous format ({@code catalog.duckdb}, written by the DuckDB catalog and queue as they
 * were) opens on SQLite with every record as it was, ids going on where they stopped, and the old file kept.
 */
class DuckDbCatalogMigrationTest {

    @TempDir
    Path dir;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /** What the old catalog held, read back through its own code before the migration. */
    private record Contents(List<Token> tokens, List<Bucket> buckets, List<Table> tables, List<Metadata> metadata,
            List<StoredFile> files, ScopedCredential credential, List<Workspace> workspaces, List<Job> jobs) {
    }

    @Test
    void everyRecordMovesAndIdsAreNeverReused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Contents before = writeOldCatalog(data.resolve("catalog.duckdb"), null);

        try (CatalogStore store = open(data)) {
            assertThat(read(store)).isEqualTo(before);
            // map equality ignores order; clients are shown the connection fields in the order they were stored
            assertThat(store.catalog().listWorkspaces()).singleElement()
                    .satisfies(w -> assertThat(w.connection().keySet()).containsExactly("backend", "path", "schema"));
            // ids go on after the highest ever handed out, deleted ones included
            // (the highest token and file were deleted; DuckDB may report a sequence one ahead, so > rather than =)
            assertThat(store.catalog().insertToken(token("new", "hash-new")).id()).isGreaterThan(3);
            assertThat(store.catalog().nextFileId()).isGreaterThan(3);
            assertThat(store.queue().submit(newJob("t")).id()).isGreaterThan(4);
            assertThat(store.catalog().nextWorkspaceId()).isGreaterThan(2);
            assertThat(store.catalog().putMetadata("in.c-main.t", null, "user", Map.of("k", "v"), now))
                    .filteredOn(m -> m.key().equals("k")).extracting(Metadata::id).singleElement()
                    .satisfies(id -> assertThat(id).isGreaterThan(2));
        }
        assertThat(data.resolve("catalog.duckdb")).doesNotExist();
        assertThat(data.resolve("catalog.duckdb.bak")).exists();
        assertThat(data.resolve("catalog.sqlite.migrating")).doesNotExist();
        // the backup is still a readable catalog of the old format, with what it had
        try (DuckDbDatabase db = new DuckDbDatabase(data.resolve("catalog.duckdb.bak"));
                DuckDbCatalog old = new DuckDbCatalog(db)) {
            assertThat(old.listTokens()).isEqualTo(before.tokens());
        }

        // a second start migrates nothing and keeps what the first one added
        try (CatalogStore store = open(data)) {
            assertThat(store.catalog().listTokens()).extracting(Token::description).containsExactly("master", "reader",
                    "new");
        }
        assertThat(Files.list(data).map(p -> p.getFileName().toString()).sorted())
                .containsExactly("catalog.duckdb.bak", "catalog.sqlite");
    }

    @Test
    void whatWasStillInTheOldLogIsMigratedToo() throws Exception {
        // a node killed while running: the last writes are only in catalog.duckdb.wal, not yet in the file
        Path data = Files.createDirectories(dir.resolve("data"));
        Path live = Files.createDirectories(dir.resolve("live"));
        Contents before = writeOldCatalog(live.resolve("catalog.duckdb"), data);
        assertThat(data.resolve("catalog.duckdb.wal")).exists();

        try (CatalogStore store = open(data)) {
            assertThat(read(store)).isEqualTo(before);
        }
        assertThat(data.resolve("catalog.duckdb.bak")).exists();
        assertThat(data.resolve("catalog.duckdb.bak.wal")).exists();
    }

    @Test
    void anUnreadableOldCatalogStopsTheStartAndNothingChanges() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        byte[] garbage = "this is not a DuckDB database".getBytes();
        Files.write(data.resolve("catalog.duckdb"), garbage);

        assertThatThrownBy(() -> open(data)).isInstanceOf(GranaryException.class)
                .hasMessageStartingWith("Cannot migrate the catalog " + data.resolve("catalog.duckdb") + " to "
                        + data.resolve("catalog.sqlite") + ": ")
                .hasMessageEndingWith(". Nothing was changed; the old catalog stays in place.");
        assertThat(Files.readAllBytes(data.resolve("catalog.duckdb"))).isEqualTo(garbage);
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("catalog.duckdb");
        }
    }

    @Test
    void anOldCatalogWithRecordsThisVersionCannotPlaceIsNotMigrated() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path old = data.resolve("catalog.duckdb");
        writeOldCatalog(old, null);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + old);
                java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE sandboxes (id BIGINT, name VARCHAR)");
            st.execute("INSERT INTO sandboxes VALUES (1, 's')");
        }
        byte[] before = Files.readAllBytes(old);

        assertThatThrownBy(() -> open(data)).isInstanceOf(GranaryException.class)
                .hasMessage("Cannot migrate the catalog " + old + " to " + data.resolve("catalog.sqlite")
                        + ": table sandboxes has no place in the new catalog. Nothing was changed; the old catalog stays"
                        + " in place.");
        assertThat(Files.readAllBytes(old)).isEqualTo(before);
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("catalog.duckdb");
        }
    }

    @Test
    void aMigrationCutBeforeTheOldFileMovedAsideKeepsTheNewCatalog() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        writeOldCatalog(data.resolve("catalog.duckdb"), null);
        try (CatalogStore store = open(data)) {
            store.catalog().insertToken(token("after", "hash-after"));
        }
        // as if the node died right after the rename of catalog.sqlite, before the old file was moved
        Files.move(data.resolve("catalog.duckdb.bak"), data.resolve("catalog.duckdb"));

        try (CatalogStore store = open(data)) {
            assertThat(store.catalog().listTokens()).extracting(Token::description).contains("after");
        }
        assertThat(data.resolve("catalog.duckdb")).doesNotExist();
        assertThat(data.resolve("catalog.duckdb.bak")).exists();
    }

    private CatalogStore open(Path data) {
        return new SqliteCatalogStoreFactory().open(new StoreContext(data, dir.resolve("tmp"), Clock.systemUTC(), 2,
                Duration.ofSeconds(60), 0, Settings.empty(), null));
    }

    /**
     * Fills a catalog of the previous format with a bit of everything, deleted records included (their ids must
     * not come back). With {@code crashCopyTo}, copies the file and its log while still open, as a kill would leave
     * them, into that directory.
     */
    private Contents writeOldCatalog(Path file, Path crashCopyTo) throws Exception {
        try (DuckDbDatabase db = new DuckDbDatabase(file); DuckDbCatalog c = new DuckDbCatalog(db);
                DuckDbJobQueue q = new DuckDbJobQueue(db)) {
            Token master = c.insertToken(new Token(0, "master", "hash-m", true, true, true, true, Map.of(), now, null,
                    null, null));
            c.insertToken(new Token(0, "reader", "hash-r", false, false, false, true,
                    Map.of("in.c-main", Permission.READ, "out.c-ü", Permission.WRITE), now, now.plusSeconds(5),
                    now.plusSeconds(3600), master.id()));
            Token gone = c.insertToken(token("gone", "hash-g"));
            c.deleteToken(gone.id());
            c.insertBucket(new Bucket("in.c-main", "c-main", "Main", "in", "the main one", "duckdb", now));
            c.insertBucket(new Bucket("out.c-ü", "c-ü", "ü", "out", null, null, now));
            c.insertTable(new Table(new TableRef("in.c-main", "t"), List.of("id", "näme"), List.of("id"), now, now,
                    null, 42, 4096));
            c.putMetadata("in.c-main.t", null, "user", Map.of("KBC.description", "rows"), now);
            c.putMetadata("in.c-main.t", "id", "system", Map.of("type", "INT"), now);
            for (int i = 1; i <= 3; i++) {
                long id = c.nextFileId();
                c.insertFile(new StoredFile(id, "f" + i + ".csv", i == 2 ? null : 10L * i, "text/csv", i == 1, i == 3,
                        true, i == 1, null, i == 3 ? List.of("b", "a") : List.of(), i == 1 ? "run-1" : null,
                        master.id(), "master", "exp-15/1/files/" + id, now, i == 1 ? null : now.plusSeconds(60)));
            }
            c.deleteFile(3);
            // a workspace of a configuration, with its connection fields in the order clients see them, and a
            // deleted one whose id must not come back
            Map<String, String> connection = new java.util.LinkedHashMap<>();
            connection.put("backend", "duckdb");
            connection.put("path", "/data/workspaces/WORKSPACE_1.duckdb");
            connection.put("schema", "main");
            long kept = c.nextWorkspaceId();
            c.insertWorkspace(new Workspace(kept, Workspace.nameOf(kept), "duckdb", "keboola.python", "123", true,
                    connection, master.id(), "master", now));
            long deleted = c.nextWorkspaceId();
            c.insertWorkspace(new Workspace(deleted, Workspace.nameOf(deleted), "duckdb", null, null, false, Map.of(),
                    master.id(), null, now));
            c.deleteWorkspace(deleted);
            c.insertCredential(new ScopedCredential("AKIA1", "session", "granary", "exp-15/1/files/1", false,
                    Access.UPLOAD, now.plusSeconds(600)));
            Job done = q.submit(newJob("t"));
            Job failed = q.submit(newJob("u"));
            q.submit(newJob("v"));
            q.submit(newJob("w"));
            q.claimNext("node-0");
            q.succeed(done.id(), JsonNodeFactory.instance.objectNode().put("importedRows", 3));
            q.claimNext("node-0");
            q.fail(failed.id(), new JobError("storage.tables.notFound", "no table", "exc-1"), null);
            q.claimNext("node-1");
            q.progress(3, 100, 7);
            Contents contents = new Contents(c.listTokens(), c.listBuckets(), c.listTables(null),
                    c.listMetadata("in.c-main.t"), c.listFiles(query()), c.findCredential("AKIA1").orElseThrow(),
                    c.listWorkspaces(), q.list(100, 0));
            assertThat(contents.workspaces()).extracting(Workspace::id).containsExactly(kept);
            assertThat(contents.jobs()).extracting(Job::status).containsExactly(JobStatus.WAITING,
                    JobStatus.PROCESSING, JobStatus.ERROR, JobStatus.SUCCESS);
            if (crashCopyTo != null) {
                Files.copy(file, crashCopyTo.resolve("catalog.duckdb"));
                Files.copy(file.resolveSibling("catalog.duckdb.wal"), crashCopyTo.resolve("catalog.duckdb.wal"));
            }
            return contents;
        }
    }

    private Contents read(CatalogStore store) {
        var c = store.catalog();
        return new Contents(c.listTokens(), c.listBuckets(), c.listTables(null), c.listMetadata("in.c-main.t"),
                c.listFiles(query()), c.findCredential("AKIA1").orElseThrow(), c.listWorkspaces(),
                store.queue().list(100, 0));
    }

    private FileQuery query() {
        return new FileQuery(100, 0, null, null, null, null, null, null, true, now);
    }

    private Token token(String description, String hash) {
        return new Token(0, description, hash, false, false, false, false, Map.of(), now, null, null, 1L);
    }

    private static NewJob newJob(String table) {
        return new NewJob("tableImport", JsonNodeFactory.instance.objectNode().put("t", table),
                JsonNodeFactory.instance.objectNode().put("tableId", "in.c-main." + table), "in.c-main." + table,
                JobLock.table(new TableRef("in.c-main", table)), null, 1, "master");
    }
}
