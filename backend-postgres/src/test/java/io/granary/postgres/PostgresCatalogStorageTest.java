package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.Access;
import io.granary.core.model.Bucket;
import io.granary.core.model.FileQuery;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the contract leaves open but PostgreSQL could get wrong: locales, array text, precision. */
class PostgresCatalogStorageTest {

    private final Instant now = Instant.parse("2025-03-01T10:15:30.123456789Z");

    @Test
    void idsListInByteOrderWhateverTheDatabaseLocale() {
        try (PostgresCatalog catalog = new PostgresCatalog(database("LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"))) {
            for (String id : List.of("in.c-a", "in.c_x", "in.c-Z", "in.c-B")) {
                catalog.insertBucket(new Bucket(id, id.substring(3), id, "in", null, "postgres", now));
                catalog.insertTable(new Table(new TableRef(id, "t"), List.of("a"), List.of(), now, null, null, 0, 0));
            }
            // en-US would give in.c_x, in.c-a, in.c-B, in.c-Z
            assertThat(catalog.listBuckets()).extracting(Bucket::id).containsExactly("in.c-B", "in.c-Z", "in.c-a", "in.c_x");
            assertThat(catalog.listTables(null)).extracting(Table::id)
                    .containsExactly("in.c-B.t", "in.c-Z.t", "in.c-a.t", "in.c_x.t");
        }
    }

    @Test
    void nameSearchFoldsCaseBeyondAsciiAndTakesWildcardsLiterally() {
        try (PostgresCatalog catalog = new PostgresCatalog(database("LOCALE 'C'"))) {
            StoredFile accents = file(catalog, "Čísla.CSV", List.of());
            StoredFile percent = file(catalog, "50%_off.csv", List.of());
            StoredFile plain = file(catalog, "5000_off.csv", List.of());
            StoredFile slash = file(catalog, "a\\b.txt", List.of());
            assertThat(search(catalog, "čÍS")).containsExactly(accents.id());
            assertThat(search(catalog, ".csv")).containsExactly(plain.id(), percent.id(), accents.id());
            assertThat(search(catalog, "%")).containsExactly(percent.id());
            assertThat(search(catalog, "0_")).containsExactly(plain.id());
            assertThat(search(catalog, "\\")).containsExactly(slash.id());
            assertThat(search(catalog, "")).hasSize(4);
        }
    }

    @Test
    void listsKeepTheirExactTextAndOrder() {
        try (PostgresCatalog catalog = new PostgresCatalog(TestPostgres.newDatabase())) {
            List<String> odd = List.of("z", "a,b", "{x}", "\"q\"", "NULL", "", "back\\slash", "ä ö", "a");
            StoredFile f = file(catalog, "a.csv", odd);
            assertThat(catalog.findFile(f.id()).orElseThrow().tags()).containsExactlyElementsOf(odd);
            assertThat(catalog.updateFileTags(f.id(), List.of())).isTrue();
            assertThat(catalog.findFile(f.id()).orElseThrow().tags()).isEmpty();
            Table t = new Table(new TableRef("in.c-main", "t"), odd, List.of(), now, null, null, 0, 0);
            catalog.insertTable(t);
            Table stored = catalog.findTable(t.id()).orElseThrow();
            assertThat(stored.columns()).containsExactlyElementsOf(odd);
            assertThat(stored.primaryKey()).isEmpty();
        }
    }

    @Test
    void instantsAreKeptToTheMillisecondLikeTheEmbeddedCatalog() {
        Instant millis = Instant.parse("2025-03-01T10:15:30.123Z");
        try (PostgresCatalog catalog = new PostgresCatalog(TestPostgres.newDatabase())) {
            Token t = catalog.insertToken(new Token(0, "t", "h", false, false, false, false, Map.of(), now, now, now, null));
            assertThat(List.of(t.created(), t.refreshed(), t.expires())).containsOnly(millis);
            catalog.insertCredential(new ScopedCredential("ASIA1", "s", "b", "k", false, Access.UPLOAD, now));
            assertThat(catalog.findCredential("ASIA1").orElseThrow().expiration()).isEqualTo(millis);
            assertThat(catalog.findFile(file(catalog, "a.csv", List.of()).id()).orElseThrow().created()).isEqualTo(millis);
        }
    }

    @Test
    void aUserWhoMayNotCreateExtensionsGetsACatalogWhoseNameSearchScans() throws SQLException {
        PostgresConfig admin = TestPostgres.newDatabase();
        String role = "granary_plain_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + role + " LOGIN");
        }
        try (Connection c = DriverManager.getConnection(admin.url(), admin.user(), admin.password());
                Statement s = c.createStatement()) {
            s.execute("GRANT USAGE, CREATE ON SCHEMA public TO " + role);
        }
        PostgresConfig plainUser = new PostgresConfig(admin.url(), role, "", 2);
        try (PostgresCatalog catalog = new PostgresCatalog(plainUser)) {
            StoredFile f = file(catalog, "Report-2025.csv", List.of("t"));
            assertThat(search(catalog, "report-20")).containsExactly(f.id());
        }
        try (Connection c = DriverManager.getConnection(admin.url(), admin.user(), admin.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'files'")) {
            List<String> indexes = new java.util.ArrayList<>();
            while (rs.next()) {
                indexes.add(rs.getString(1));
            }
            assertThat(indexes).contains("files_tags").doesNotContain("files_name_trgm");
        }
    }

    @Test
    void fileNamesHaveATrigramIndexWhenTheExtensionCanBeCreated() throws SQLException {
        PostgresConfig config = TestPostgres.newDatabase();
        new PostgresCatalog(config).close();
        try (Connection c = DriverManager.getConnection(config.url(), config.user(), config.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 FROM pg_indexes WHERE indexname = 'files_name_trgm'")) {
            assertThat(rs.next()).isTrue();
        }
    }

    private StoredFile file(PostgresCatalog catalog, String name, List<String> tags) {
        long id = catalog.nextFileId();
        StoredFile f = new StoredFile(id, name, null, "text/csv", false, false, true, true, "csv", tags, null, 1, "c",
                "files/" + id, now, null);
        catalog.insertFile(f);
        return f;
    }

    private List<Long> search(PostgresCatalog catalog, String q) {
        return catalog.listFiles(new FileQuery(100, 0, null, null, List.of(), null, q, null, false, now)).stream()
                .map(StoredFile::id).toList();
    }

    /** A fresh database on the test server with the given locale clause. */
    private static PostgresConfig database(String locale) {
        PostgresConfig config = TestPostgres.newDatabase();
        String name = config.url().substring(config.url().lastIndexOf('/') + 1);
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + name);
            s.execute("CREATE DATABASE " + name + " TEMPLATE template0 " + locale);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database with " + locale, e);
        }
        return config;
    }
}
