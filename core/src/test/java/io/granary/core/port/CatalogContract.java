package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.Access;
import io.granary.core.model.Bucket;
import io.granary.core.model.FileQuery;
import io.granary.core.model.Metadata;
import io.granary.core.model.Permission;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link Catalog} implementation must do. Subclasses open a fresh, empty catalog. */
public abstract class CatalogContract {

    @TempDir
    protected Path dir;

    protected Catalog catalog;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    protected abstract Catalog openCatalog(Path dir);

    @BeforeEach
    void open() {
        catalog = openCatalog(dir);
    }

    @AfterEach
    void close() {
        catalog.close();
    }

    private Token token(String description, String hash) {
        return new Token(0, description, hash, false, false, false, false,
                Map.of("in.c-main", Permission.READ, "out.c-x", Permission.WRITE), now, null, null, 1L);
    }

    @Test
    void tokensGetIncreasingIdsAndRoundTrip() {
        Token a = catalog.insertToken(token("a", "hash-a"));
        Token b = catalog.insertToken(token("b", "hash-b"));
        assertThat(b.id()).isGreaterThan(a.id());
        assertThat(catalog.findToken(a.id())).contains(a);
        assertThat(a.bucketPermissions()).containsEntry("in.c-main", Permission.READ).containsEntry("out.c-x", Permission.WRITE);
        assertThat(a.created()).isEqualTo(now);
        assertThat(catalog.findTokenBySecretHash("hash-b")).map(Token::id).contains(b.id());
        assertThat(catalog.findTokenBySecretHash("nope")).isEmpty();
        assertThat(catalog.listTokens()).extracting(Token::description).containsExactly("a", "b");
    }

    @Test
    void tokenSecretCanBeReplacedAndTokenDeleted() {
        Token a = catalog.insertToken(token("a", "old"));
        // looked up before each change: a catalog that remembers look-ups must forget on change
        assertThat(catalog.findTokenBySecretHash("old")).map(Token::id).contains(a.id());
        assertThat(catalog.updateTokenSecret(a.id(), "new", now)).isTrue();
        assertThat(catalog.findTokenBySecretHash("old")).isEmpty();
        assertThat(catalog.findTokenBySecretHash("new")).map(Token::refreshed).contains(now);
        assertThat(catalog.updateTokenSecret(999, "x", now)).isFalse();
        assertThat(catalog.deleteToken(a.id())).isTrue();
        assertThat(catalog.findTokenBySecretHash("new")).isEmpty();
        assertThat(catalog.deleteToken(a.id())).isFalse();
        assertThat(catalog.findToken(a.id())).isEmpty();
    }

    @Test
    void bucketsAreUniqueByIdAndDisplayNamePerStage() {
        Bucket main = new Bucket("in.c-main", "c-main", "main", "in", "d", "duckdb", now);
        assertThat(catalog.insertBucket(main)).isTrue();
        assertThat(catalog.insertBucket(main)).isFalse();
        assertThat(catalog.insertBucket(new Bucket("in.c-other", "c-other", "main", "in", null, "duckdb", now))).isFalse();
        assertThat(catalog.insertBucket(new Bucket("out.c-main", "c-main", "main", "out", null, "duckdb", now))).isTrue();
        assertThat(catalog.findBucket("in.c-main")).contains(main);
        assertThat(catalog.listBuckets()).extracting(Bucket::id).containsExactly("in.c-main", "out.c-main");
        assertThat(catalog.deleteBucket("in.c-main")).isTrue();
        assertThat(catalog.findBucket("in.c-main")).isEmpty();
        assertThat(catalog.deleteBucket("in.c-main")).isFalse();
    }

    private StoredFile file(String name, List<String> tags, long creator, Instant expires) {
        long id = catalog.nextFileId();
        StoredFile f = new StoredFile(id, name, 10L, "text/csv", false, false, true, expires == null, "csv", tags,
                "run-1", creator, "creator", "exp-15/1/files/" + id + "." + name, now, expires);
        catalog.insertFile(f);
        return f;
    }

    private FileQuery query(List<String> tags, Long creator) {
        return new FileQuery(100, 0, null, null, tags, null, null, creator, false, now);
    }

    @Test
    void filesRoundTripWithTagsInOrder() {
        StoredFile f = file("a.csv", List.of("z", "a", "m"), 1, now.plus(Duration.ofDays(15)));
        assertThat(catalog.findFile(f.id())).contains(f);
        assertThat(catalog.updateFileTags(f.id(), List.of("a", "b"))).isTrue();
        assertThat(catalog.findFile(f.id()).orElseThrow().tags()).containsExactly("a", "b");
        assertThat(catalog.updateFileSize(f.id(), 1234)).isTrue();
        assertThat(catalog.findFile(f.id()).orElseThrow().sizeBytes()).isEqualTo(1234L);
        assertThat(catalog.updateFileTags(999_999, List.of("a"))).isFalse();
        assertThat(catalog.deleteFile(f.id())).isTrue();
        assertThat(catalog.findFile(f.id())).isEmpty();
        assertThat(catalog.deleteFile(f.id())).isFalse();
    }

    @Test
    void fileListFiltersNewestFirst() {
        StoredFile a = file("a.csv", List.of("t1"), 1, null);
        StoredFile b = file("b.csv", List.of("t2", "t3"), 2, null);
        StoredFile c = file("c.csv", List.of(), 1, null);
        StoredFile expired = file("old.csv", List.of("t1"), 1, now.minusSeconds(1));
        assertThat(catalog.listFiles(query(List.of(), null))).extracting(StoredFile::id).containsExactly(c.id(), b.id(), a.id());
        assertThat(catalog.listFiles(query(List.of("t1", "t3"), null))).extracting(StoredFile::id).containsExactly(b.id(), a.id());
        assertThat(catalog.listFiles(query(List.of(), 1L))).extracting(StoredFile::id).containsExactly(c.id(), a.id());
        assertThat(catalog.listFiles(new FileQuery(1, 1, null, null, List.of(), null, null, null, false, now)))
                .extracting(StoredFile::id).containsExactly(b.id());
        assertThat(catalog.listFiles(new FileQuery(100, 0, a.id(), null, List.of(), null, null, null, true, now)))
                .extracting(StoredFile::id).containsExactly(expired.id(), c.id(), b.id());
        assertThat(catalog.listFiles(new FileQuery(100, 0, null, b.id(), List.of(), "run-1", "B.", null, false, now)))
                .extracting(StoredFile::id).containsExactly(b.id());
        assertThat(catalog.listExpiredFiles(now, 10)).extracting(StoredFile::id).containsExactly(expired.id());
    }

    @Test
    void expiryBoundariesFollowTheJavadoc() {
        StoredFile atNow = file("now.csv", List.of(), 1, now);
        StoredFile before = file("before.csv", List.of(), 1, now.minusMillis(1));
        StoredFile after = file("after.csv", List.of(), 1, now.plusMillis(1));
        assertThat(catalog.listFiles(query(List.of(), null))).extracting(StoredFile::id).containsExactly(after.id());
        assertThat(catalog.listExpiredFiles(now, 10)).extracting(StoredFile::id).containsExactly(atNow.id(), before.id());
        assertThat(catalog.listExpiredFiles(now, 1)).extracting(StoredFile::id).containsExactly(atNow.id());
        catalog.insertCredential(new ScopedCredential("ASIA-NOW", "s", "granary", "k", false, Access.UPLOAD, now));
        assertThat(catalog.deleteExpiredCredentials(now)).isZero();
        assertThat(catalog.deleteExpiredCredentials(now.plusMillis(1))).isEqualTo(1);
    }

    @Test
    void fileIdsAreNeverReused() {
        long first = catalog.nextFileId();
        long second = catalog.nextFileId();
        assertThat(second).isGreaterThan(first);
        catalog.close();
        catalog = openCatalog(dir);
        assertThat(catalog.nextFileId()).isGreaterThan(second);
    }

    @Test
    void credentialsRoundTripAndExpire() {
        ScopedCredential live = new ScopedCredential("ASIA1", "session", "granary", "k/1.csv", false, Access.UPLOAD,
                now.plusSeconds(60));
        ScopedCredential dead = new ScopedCredential("ASIA2", "session", "granary", "k/2.", true, Access.DOWNLOAD,
                now.minusSeconds(60));
        catalog.insertCredential(live);
        catalog.insertCredential(dead);
        assertThat(catalog.findCredential("ASIA1")).contains(live);
        assertThat(catalog.deleteExpiredCredentials(now)).isEqualTo(1);
        assertThat(catalog.findCredential("ASIA2")).isEmpty();
        assertThat(catalog.findCredential("ASIA1")).isPresent();
    }

    @Test
    void tablesRoundTripAndUpdate() {
        Table t = new Table(new TableRef("in.c-main", "orders"), List.of("id", "name"), List.of("id"), now, null, null, 0, 0);
        assertThat(catalog.insertTable(t)).isTrue();
        assertThat(catalog.insertTable(t)).isFalse();
        catalog.insertTable(new Table(new TableRef("out.c-x", "a"), List.of("a"), List.of(), now, null, null, 0, 0));
        assertThat(catalog.findTable("in.c-main.orders")).contains(t);
        Table loaded = t.withColumns(List.of("id", "name", "extra")).withStats(10, 100, now, now);
        assertThat(catalog.updateTable(loaded)).isTrue();
        assertThat(catalog.findTable("in.c-main.orders")).contains(loaded);
        assertThat(catalog.listTables("in.c-main")).extracting(Table::id).containsExactly("in.c-main.orders");
        assertThat(catalog.listTables(null)).extracting(Table::id).containsExactly("in.c-main.orders", "out.c-x.a");
        assertThat(catalog.deleteTable("in.c-main.orders")).isTrue();
        assertThat(catalog.findTable("in.c-main.orders")).isEmpty();
        assertThat(catalog.updateTable(loaded)).isFalse();
    }

    @Test
    void metadataIsReplacedPerKeyAndProvider() {
        catalog.putMetadata("in.c-main.t", null, "user", Map.of("KBC.description", "first"), now);
        catalog.putMetadata("in.c-main.t", null, "my.component", Map.of("KBC.description", "theirs"), now);
        List<Metadata> table = catalog.putMetadata("in.c-main.t", null, "user", Map.of("KBC.description", "second"), now);
        assertThat(table).extracting(Metadata::provider, Metadata::value)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("my.component", "theirs"),
                        org.assertj.core.groups.Tuple.tuple("user", "second"));
        catalog.putMetadata("in.c-main.t", "id", "user", Map.of("KBC.datatype.basetype", "INTEGER"), now);
        assertThat(catalog.listMetadata("in.c-main.t")).hasSize(3).anyMatch(m -> "id".equals(m.column()));
        catalog.deleteMetadata("in.c-main.t");
        assertThat(catalog.listMetadata("in.c-main.t")).isEmpty();
    }

    @Test
    void columnMetadataIsKeptApartFromTableMetadata() {
        catalog.putMetadata("in.c-main.t", "id", "user", Map.of("KBC.description", "column"), now);
        List<Metadata> table = catalog.putMetadata("in.c-main.t", null, "user", Map.of("KBC.description", "table"), now);
        assertThat(table).extracting(Metadata::column, Metadata::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(null, "table"));
        List<Metadata> column = catalog.putMetadata("in.c-main.t", "id", "user", Map.of("KBC.other", "x"), now);
        assertThat(column).extracting(Metadata::column, Metadata::key, Metadata::value).containsExactly(
                org.assertj.core.groups.Tuple.tuple("id", "KBC.description", "column"),
                org.assertj.core.groups.Tuple.tuple("id", "KBC.other", "x"));
        assertThat(catalog.listMetadata("in.c-main.t")).hasSize(3);
        assertThat(catalog.listMetadata("in.c-main.other")).isEmpty();
    }

    @Test
    void workspacesRoundTripKeepTheirConnectionOrderAndGetIdsNeverReused() {
        long first = catalog.nextWorkspaceId();
        long second = catalog.nextWorkspaceId();
        assertThat(second).isGreaterThan(first);
        Map<String, String> connection = new java.util.LinkedHashMap<>();
        connection.put("backend", "postgresql");
        connection.put("host", "db.example.com");
        connection.put("port", "5432");
        connection.put("warehouse", "");
        connection.put("database", "granary");
        Workspace w = new Workspace(first, "WORKSPACE_" + first, "postgresql", "keboola.python", "123", true, connection,
                7, "my token", now);
        Workspace plain = new Workspace(second, "WORKSPACE_" + second, "postgresql", null, null, false, Map.of(), 8,
                null, now);
        assertThat(catalog.insertWorkspace(plain)).isTrue();
        assertThat(catalog.insertWorkspace(w)).isTrue();
        assertThat(catalog.insertWorkspace(w)).isFalse();
        assertThat(catalog.findWorkspace(first)).contains(w);
        assertThat(catalog.findWorkspace(first).orElseThrow().connection().keySet())
                .containsExactly("backend", "host", "port", "warehouse", "database");
        assertThat(catalog.listWorkspaces()).extracting(Workspace::id).containsExactly(first, second);
        assertThat(catalog.deleteWorkspace(first)).isTrue();
        assertThat(catalog.deleteWorkspace(first)).isFalse();
        assertThat(catalog.findWorkspace(first)).isEmpty();
        catalog.close();
        catalog = openCatalog(dir);
        assertThat(catalog.findWorkspace(second)).contains(plain);
        assertThat(catalog.nextWorkspaceId()).isGreaterThan(second);
    }

    @Test
    void dataSurvivesReopen() {
        Token a = catalog.insertToken(token("a", "h"));
        catalog.insertBucket(new Bucket("in.c-main", "c-main", "main", "in", null, "duckdb", now));
        catalog.close();
        catalog = openCatalog(dir);
        assertThat(catalog.findToken(a.id())).contains(a);
        assertThat(catalog.findBucket("in.c-main")).isPresent();
        assertThat(catalog.insertToken(token("b", "h2")).id()).isGreaterThan(a.id());
    }
}
