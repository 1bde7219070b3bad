package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.Access;
import io.granary.core.model.Bucket;
import io.granary.core.model.FileQuery;
import io.granary.core.model.Metadata;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two catalogs with two pools on one database, as two nodes: the database alone keeps them consistent. */
class PostgresCatalogMultiNodeTest {

    private static final int THREADS = 16;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private PostgresConfig config;
    private PostgresCatalog nodeA;
    private PostgresCatalog nodeB;

    @BeforeEach
    void open() {
        config = TestPostgres.newDatabase();
        nodeA = new PostgresCatalog(config);
        nodeB = new PostgresCatalog(config);
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
    }

    @Test
    void exactlyOneNodeCreatesABucketId() throws Exception {
        List<Boolean> won = race(i -> node(i).insertBucket(
                new Bucket("in.c-main", "c-main", "main-" + i, "in", "by " + i, "postgres", now)));
        assertThat(won).containsOnlyOnce(true);
        assertThat(nodeB.listBuckets()).hasSize(1);
    }

    @Test
    void exactlyOneNodeCreatesADisplayNameInAStage() throws Exception {
        List<Boolean> won = race(i -> node(i).insertBucket(
                new Bucket("in.c-b" + i, "c-b" + i, "shared", "in", null, "postgres", now)));
        assertThat(won).containsOnlyOnce(true);
        assertThat(nodeA.listBuckets()).extracting(Bucket::displayName).containsExactly("shared");
    }

    @Test
    void exactlyOneNodeCreatesATableId() throws Exception {
        List<Boolean> won = race(i -> node(i).insertTable(new Table(new TableRef("in.c-main", "orders"),
                List.of("id", "c" + i), List.of("id"), now, null, null, 0, 0)));
        assertThat(won).containsOnlyOnce(true);
        assertThat(nodeB.listTables(null)).hasSize(1);
    }

    @Test
    void fileIdsFromBothNodesNeverRepeat() throws Exception {
        List<List<Long>> batches = race(i -> {
            List<Long> ids = new ArrayList<>();
            for (int n = 0; n < 100; n++) {
                ids.add(node(i).nextFileId());
            }
            return ids;
        });
        Set<Long> all = new HashSet<>();
        batches.forEach(all::addAll);
        assertThat(all).hasSize(THREADS * 100);
    }

    @Test
    void tokenIdsAndSecretsFromBothNodesAreDistinct() throws Exception {
        List<Token> tokens = race(i -> node(i).insertToken(new Token(0, "t" + i, "hash-" + i, false, false, false,
                false, Map.of(), now, null, null, null)));
        assertThat(tokens).extracting(Token::id).doesNotHaveDuplicates();
        assertThat(nodeA.findTokenBySecretHash("hash-3")).map(Token::description).contains("t3");
    }

    @Test
    void concurrentMetadataWritesOnOneTableNeitherDeadlockNorDuplicate() throws Exception {
        List<String> keys = List.of("k1", "k2", "k3", "k4", "k5", "k6");
        race(i -> {
            // half the writers go through the keys backwards: row locks alone would deadlock
            List<String> order = new ArrayList<>(keys);
            if (i % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            Map<String, String> entries = new LinkedHashMap<>();
            order.forEach(k -> entries.put(k, "v" + i));
            for (int round = 0; round < 20; round++) {
                node(i).putMetadata("in.c-main.t", round % 3 == 0 ? "id" : null, "user", entries, now);
            }
            return null;
        });
        List<Metadata> all = nodeA.listMetadata("in.c-main.t");
        assertThat(all).hasSize(keys.size() * 2);
        assertThat(all).extracting(Metadata::id).isSorted();
    }

    @Test
    void bothNodesStartAtOnceOnAnEmptyDatabase() throws Exception {
        PostgresConfig fresh = TestPostgres.newDatabase();
        List<PostgresCatalog> opened = race(i -> i < 2 ? new PostgresCatalog(fresh) : null);
        try {
            opened.get(0).insertBucket(new Bucket("in.c-x", "c-x", "x", "in", null, "postgres", now));
            assertThat(opened.get(1).findBucket("in.c-x")).isPresent();
        } finally {
            opened.stream().filter(java.util.Objects::nonNull).forEach(PostgresCatalog::close);
        }
    }

    @Test
    void aNodeStartedLaterOnTheSameDatabaseSeesEverything() throws Exception {
        Token token = nodeA.insertToken(new Token(0, "t", "h", true, true, true, true, Map.of(), now, null, null, null));
        Table table = new Table(new TableRef("in.c-main", "orders"), List.of("id"), List.of("id"), now, null, null, 3, 30);
        nodeA.insertTable(table);
        nodeA.putMetadata(table.id(), null, "user", Map.of("KBC.description", "d"), now);
        long fileId = nodeA.nextFileId();
        StoredFile file = new StoredFile(fileId, "a.csv", 1L, "text/csv", false, false, true, true, "csv",
                List.of("t1", "t2"), null, token.id(), "t", "files/" + fileId, now, null);
        nodeA.insertFile(file);
        ScopedCredential credential = new ScopedCredential("ASIA9", "s", "granary", "files/", true, Access.DOWNLOAD,
                now.plusSeconds(60));
        nodeA.insertCredential(credential);
        int migrations = appliedMigrations();
        nodeA.close();
        nodeB.close();

        nodeA = new PostgresCatalog(config);
        nodeB = new PostgresCatalog(config);
        assertThat(nodeA.findToken(token.id())).contains(token);
        assertThat(nodeA.findTable(table.id())).contains(table);
        assertThat(nodeA.listMetadata(table.id())).extracting(Metadata::value).containsExactly("d");
        assertThat(nodeA.listFiles(new FileQuery(10, 0, null, null, List.of("t2"), null, null, null, false, now)))
                .containsExactly(file);
        assertThat(nodeA.findCredential("ASIA9")).contains(credential);
        assertThat(nodeB.nextFileId()).isGreaterThan(fileId);
        assertThat(appliedMigrations()).isEqualTo(migrations).isGreaterThanOrEqualTo(2);
    }

    private PostgresCatalog node(int i) {
        return i % 2 == 0 ? nodeA : nodeB;
    }

    /** Runs {@code work(0..THREADS-1)} on as many threads, released together; returns the results in order. */
    private static <T> List<T> race(IntFunction<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch ready = new CountDownLatch(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int n = i;
                Callable<T> task = () -> {
                    ready.countDown();
                    go.await();
                    return work.apply(n);
                };
                futures.add(pool.submit(task));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private int appliedMigrations() throws Exception {
        try (Connection c = DriverManager.getConnection(config.url(), config.user(), config.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM granary_schema_history WHERE success")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
