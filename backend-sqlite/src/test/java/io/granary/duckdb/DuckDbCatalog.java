package io.granary.duckdb;

import static io.granary.duckdb.Sql.instant;
import static io.granary.duckdb.Sql.nullableLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Access;
import io.granary.core.model.Bucket;
import io.granary.core.model.FileQuery;
import io.granary.core.model.Metadata;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import io.granary.core.util.StoredJson;
import io.granary.core.port.Catalog;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The previous format of the embedded catalog: the catalog of one node in a DuckDB file, exactly as Granary kept it
 * before the catalog moved to SQLite. Kept (in tests only) to write catalogs in that format, so the migration is
 * tested on the real thing.
 */
public final class DuckDbCatalog implements Catalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DuckDbDatabase ownedDatabase;
    private final Connection c;

    /** Opens (creating if needed) a catalog in its own database file. */
    public DuckDbCatalog(Path databaseFile) {
        this(new DuckDbDatabase(databaseFile), true);
    }

    /** A catalog in an already open database (shared with the job queue); does not close it. */
    public DuckDbCatalog(DuckDbDatabase database) {
        this(database, false);
    }

    private DuckDbCatalog(DuckDbDatabase database, boolean owned) {
        this.ownedDatabase = owned ? database : null;
        this.c = database.connect();
        Sql.execute(c,
                "CREATE SEQUENCE IF NOT EXISTS token_id_seq START 1",
                "CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1",
                "CREATE SEQUENCE IF NOT EXISTS metadata_id_seq START 1",
                "CREATE SEQUENCE IF NOT EXISTS workspace_id_seq START 1",
                """
                CREATE TABLE IF NOT EXISTS metadata (
                  id BIGINT NOT NULL, table_id VARCHAR NOT NULL, column_name VARCHAR, provider VARCHAR NOT NULL,
                  key VARCHAR NOT NULL, value VARCHAR, ts BIGINT NOT NULL)""",
                """
                CREATE TABLE IF NOT EXISTS tokens (
                  id BIGINT PRIMARY KEY, description VARCHAR, secret_hash VARCHAR NOT NULL,
                  is_master BOOLEAN NOT NULL, can_manage_buckets BOOLEAN NOT NULL,
                  can_manage_tokens BOOLEAN NOT NULL, can_read_all_file_uploads BOOLEAN NOT NULL,
                  bucket_permissions VARCHAR NOT NULL, created BIGINT NOT NULL, refreshed BIGINT,
                  expires BIGINT, creator_token_id BIGINT)""",
                """
                CREATE TABLE IF NOT EXISTS buckets (
                  id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, display_name VARCHAR NOT NULL,
                  stage VARCHAR NOT NULL, description VARCHAR, backend VARCHAR, created BIGINT NOT NULL)""",
                """
                CREATE TABLE IF NOT EXISTS files (
                  id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, size_bytes BIGINT, content_type VARCHAR,
                  is_public BOOLEAN NOT NULL, is_sliced BOOLEAN NOT NULL, is_encrypted BOOLEAN NOT NULL,
                  is_permanent BOOLEAN NOT NULL, file_type VARCHAR, run_id VARCHAR,
                  creator_token_id BIGINT NOT NULL, creator_token_description VARCHAR,
                  object_key VARCHAR NOT NULL, created BIGINT NOT NULL, expires BIGINT)""",
                """
                CREATE TABLE IF NOT EXISTS tables (
                  id VARCHAR PRIMARY KEY, bucket_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
                  columns_json VARCHAR NOT NULL, primary_key_json VARCHAR NOT NULL, created BIGINT NOT NULL,
                  last_import_date BIGINT, last_change_date BIGINT, rows_count BIGINT NOT NULL,
                  data_size_bytes BIGINT NOT NULL)""",
                """
                CREATE TABLE IF NOT EXISTS workspaces (
                  id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, backend VARCHAR NOT NULL, component VARCHAR,
                  configuration_id VARCHAR, read_only_storage_access BOOLEAN NOT NULL, connection_json VARCHAR NOT NULL,
                  creator_token_id BIGINT NOT NULL, creator_token_description VARCHAR, created BIGINT NOT NULL)""",
                "CREATE TABLE IF NOT EXISTS file_tags (file_id BIGINT NOT NULL, position INTEGER NOT NULL, tag VARCHAR NOT NULL)",
                """
                CREATE TABLE IF NOT EXISTS credentials (
                  access_key_id VARCHAR PRIMARY KEY, session_token VARCHAR NOT NULL, bucket VARCHAR NOT NULL,
                  object_key VARCHAR NOT NULL, is_prefix BOOLEAN NOT NULL, access VARCHAR NOT NULL,
                  expiration BIGINT NOT NULL)""");
    }

    // ---- tokens

    @Override
    public synchronized Token insertToken(Token t) {
        long id = Sql.nextval(c, "token_id_seq");
        Sql.update(c, "INSERT INTO tokens VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                id, t.description(), t.secretHash(), t.isMasterToken(), t.canManageBuckets(), t.canManageTokens(),
                t.canReadAllFileUploads(), StoredJson.writePermissions(t.bucketPermissions()), t.created(), t.refreshed(),
                t.expires(), t.creatorTokenId());
        return findToken(id).orElseThrow();
    }

    @Override
    public synchronized Optional<Token> findToken(long id) {
        return Sql.queryOne(c, "SELECT * FROM tokens WHERE id = ?", DuckDbCatalog::token, id);
    }

    @Override
    public synchronized Optional<Token> findTokenBySecretHash(String secretHash) {
        return Sql.queryOne(c, "SELECT * FROM tokens WHERE secret_hash = ?", DuckDbCatalog::token, secretHash);
    }

    @Override
    public synchronized List<Token> listTokens() {
        return Sql.query(c, "SELECT * FROM tokens ORDER BY id", DuckDbCatalog::token);
    }

    @Override
    public synchronized boolean updateTokenSecret(long id, String secretHash, Instant refreshed) {
        return Sql.update(c, "UPDATE tokens SET secret_hash = ?, refreshed = ? WHERE id = ?", secretHash, refreshed, id) > 0;
    }

    @Override
    public synchronized boolean deleteToken(long id) {
        return Sql.update(c, "DELETE FROM tokens WHERE id = ?", id) > 0;
    }

    // ---- buckets

    @Override
    public synchronized boolean insertBucket(Bucket b) {
        boolean taken = Sql.queryOne(c, "SELECT 1 FROM buckets WHERE id = ? OR (stage = ? AND display_name = ?)",
                rs -> true, b.id(), b.stage(), b.displayName()).isPresent();
        if (taken) {
            return false;
        }
        Sql.update(c, "INSERT INTO buckets VALUES (?,?,?,?,?,?,?)",
                b.id(), b.name(), b.displayName(), b.stage(), b.description(), b.backend(), b.created());
        return true;
    }

    @Override
    public synchronized Optional<Bucket> findBucket(String id) {
        return Sql.queryOne(c, "SELECT * FROM buckets WHERE id = ?", DuckDbCatalog::bucket, id);
    }

    @Override
    public synchronized List<Bucket> listBuckets() {
        return Sql.query(c, "SELECT * FROM buckets ORDER BY id", DuckDbCatalog::bucket);
    }

    @Override
    public synchronized boolean deleteBucket(String id) {
        return Sql.update(c, "DELETE FROM buckets WHERE id = ?", id) > 0;
    }

    // ---- tables

    @Override
    public synchronized boolean insertTable(Table t) {
        if (Sql.queryOne(c, "SELECT 1 FROM tables WHERE id = ?", rs -> true, t.id()).isPresent()) {
            return false;
        }
        Sql.update(c, "INSERT INTO tables VALUES (?,?,?,?,?,?,?,?,?,?)", t.id(), t.ref().bucketId(), t.ref().name(),
                writeList(t.columns()), writeList(t.primaryKey()), t.created(), t.lastImportDate(), t.lastChangeDate(),
                t.rowsCount(), t.dataSizeBytes());
        return true;
    }

    @Override
    public synchronized Optional<Table> findTable(String tableId) {
        return Sql.queryOne(c, "SELECT * FROM tables WHERE id = ?", DuckDbCatalog::table, tableId);
    }

    @Override
    public synchronized List<Table> listTables(String bucketId) {
        if (bucketId == null) {
            return Sql.query(c, "SELECT * FROM tables ORDER BY id", DuckDbCatalog::table);
        }
        return Sql.query(c, "SELECT * FROM tables WHERE bucket_id = ? ORDER BY id", DuckDbCatalog::table, bucketId);
    }

    @Override
    public synchronized boolean updateTable(Table t) {
        return Sql.update(c, """
                UPDATE tables SET columns_json = ?, primary_key_json = ?, last_import_date = ?, last_change_date = ?,
                  rows_count = ?, data_size_bytes = ? WHERE id = ?""",
                writeList(t.columns()), writeList(t.primaryKey()), t.lastImportDate(), t.lastChangeDate(), t.rowsCount(),
                t.dataSizeBytes(), t.id()) > 0;
    }

    @Override
    public synchronized boolean deleteTable(String tableId) {
        return Sql.update(c, "DELETE FROM tables WHERE id = ?", tableId) > 0;
    }

    // ---- metadata

    @Override
    public synchronized List<Metadata> putMetadata(String tableId, String column, String provider,
            Map<String, String> entries, Instant timestamp) {
        Sql.inTransaction(c, () -> {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                Sql.update(c, "DELETE FROM metadata WHERE table_id = ? AND column_name IS NOT DISTINCT FROM ? AND provider = ?"
                        + " AND key = ?", tableId, column, provider, e.getKey());
                Sql.update(c, "INSERT INTO metadata VALUES (?,?,?,?,?,?,?)", Sql.nextval(c, "metadata_id_seq"), tableId,
                        column, provider, e.getKey(), e.getValue(), timestamp);
            }
            return null;
        });
        return listMetadata(tableId).stream().filter(m -> java.util.Objects.equals(m.column(), column)).toList();
    }

    @Override
    public synchronized List<Metadata> listMetadata(String tableId) {
        return Sql.query(c, "SELECT * FROM metadata WHERE table_id = ? ORDER BY id", rs -> new Metadata(rs.getLong("id"),
                rs.getString("table_id"), rs.getString("column_name"), rs.getString("provider"), rs.getString("key"),
                rs.getString("value"), instant(rs, "ts")), tableId);
    }

    @Override
    public synchronized void deleteMetadata(String tableId) {
        Sql.update(c, "DELETE FROM metadata WHERE table_id = ?", tableId);
    }

    // ---- files

    // ---- workspaces

    @Override
    public synchronized long nextWorkspaceId() {
        return Sql.nextval(c, "workspace_id_seq");
    }

    @Override
    public synchronized boolean insertWorkspace(Workspace w) {
        if (Sql.queryOne(c, "SELECT 1 FROM workspaces WHERE id = ?", rs -> true, w.id()).isPresent()) {
            return false;
        }
        Sql.update(c, "INSERT INTO workspaces VALUES (?,?,?,?,?,?,?,?,?,?)", w.id(), w.name(), w.backend(), w.component(),
                w.configurationId(), w.readOnlyStorageAccess(), StoredJson.writeStrings(w.connection()),
                w.creatorTokenId(), w.creatorTokenDescription(), w.created());
        return true;
    }

    @Override
    public synchronized Optional<Workspace> findWorkspace(long id) {
        return Sql.queryOne(c, "SELECT * FROM workspaces WHERE id = ?", DuckDbCatalog::workspace, id);
    }

    @Override
    public synchronized List<Workspace> listWorkspaces() {
        return Sql.query(c, "SELECT * FROM workspaces ORDER BY id", DuckDbCatalog::workspace);
    }

    @Override
    public synchronized boolean deleteWorkspace(long id) {
        return Sql.update(c, "DELETE FROM workspaces WHERE id = ?", id) > 0;
    }

    private static Workspace workspace(ResultSet rs) throws SQLException {
        return new Workspace(rs.getLong("id"), rs.getString("name"), rs.getString("backend"), rs.getString("component"),
                rs.getString("configuration_id"), rs.getBoolean("read_only_storage_access"),
                StoredJson.readStrings(rs.getString("connection_json")), rs.getLong("creator_token_id"),
                rs.getString("creator_token_description"), instant(rs, "created"));
    }

    @Override
    public synchronized long nextFileId() {
        return Sql.nextval(c, "file_id_seq");
    }

    @Override
    public synchronized void insertFile(StoredFile f) {
        Sql.inTransaction(c, () -> {
            Sql.update(c, "INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    f.id(), f.name(), f.sizeBytes(), f.contentType(), f.isPublic(), f.isSliced(), f.isEncrypted(),
                    f.isPermanent(), f.fileType(), f.runId(), f.creatorTokenId(), f.creatorTokenDescription(), f.key(),
                    f.created(), f.expires());
            writeTags(f.id(), f.tags());
            return null;
        });
    }

    @Override
    public synchronized Optional<StoredFile> findFile(long id) {
        return Sql.queryOne(c, "SELECT * FROM files WHERE id = ?", DuckDbCatalog::file, id).map(this::withTags);
    }

    @Override
    public synchronized List<StoredFile> listFiles(FileQuery q) {
        StringBuilder sql = new StringBuilder("SELECT * FROM files WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (q.sinceId() != null) {
            sql.append(" AND id > ?");
            args.add(q.sinceId());
        }
        if (q.maxId() != null) {
            sql.append(" AND id <= ?");
            args.add(q.maxId());
        }
        if (q.runId() != null) {
            sql.append(" AND run_id = ?");
            args.add(q.runId());
        }
        if (q.nameContains() != null) {
            sql.append(" AND contains(lower(name), lower(?))");
            args.add(q.nameContains());
        }
        if (q.creatorTokenId() != null) {
            sql.append(" AND creator_token_id = ?");
            args.add(q.creatorTokenId());
        }
        if (!q.showExpired()) {
            sql.append(" AND (expires IS NULL OR expires > ?)");
            args.add(q.now());
        }
        if (!q.tags().isEmpty()) {
            sql.append(" AND id IN (SELECT file_id FROM file_tags WHERE tag IN (")
                    .append(String.join(",", q.tags().stream().map(t -> "?").toList())).append("))");
            args.addAll(q.tags());
        }
        sql.append(" ORDER BY id DESC LIMIT ? OFFSET ?");
        args.add(q.limit());
        args.add(q.offset());
        return Sql.query(c, sql.toString(), DuckDbCatalog::file, args.toArray()).stream().map(this::withTags).toList();
    }

    @Override
    public synchronized boolean updateFileTags(long id, List<String> tags) {
        return Sql.inTransaction(c, () -> {
            if (Sql.queryOne(c, "SELECT 1 FROM files WHERE id = ?", rs -> true, id).isEmpty()) {
                return false;
            }
            Sql.update(c, "DELETE FROM file_tags WHERE file_id = ?", id);
            writeTags(id, tags);
            return true;
        });
    }

    @Override
    public synchronized boolean updateFileSize(long id, long sizeBytes) {
        return Sql.update(c, "UPDATE files SET size_bytes = ? WHERE id = ?", sizeBytes, id) > 0;
    }

    @Override
    public synchronized boolean deleteFile(long id) {
        return Sql.inTransaction(c, () -> {
            Sql.update(c, "DELETE FROM file_tags WHERE file_id = ?", id);
            return Sql.update(c, "DELETE FROM files WHERE id = ?", id) > 0;
        });
    }

    @Override
    public synchronized List<StoredFile> listExpiredFiles(Instant now, int limit) {
        return Sql.query(c, "SELECT * FROM files WHERE expires IS NOT NULL AND expires <= ? ORDER BY id LIMIT ?",
                DuckDbCatalog::file, now, limit).stream().map(this::withTags).toList();
    }

    // ---- credentials

    @Override
    public synchronized void insertCredential(ScopedCredential k) {
        Sql.update(c, "INSERT INTO credentials VALUES (?,?,?,?,?,?,?)", k.accessKeyId(), k.sessionToken(), k.bucket(),
                k.key(), k.prefix(), k.access().name(), k.expiration());
    }

    @Override
    public synchronized Optional<ScopedCredential> findCredential(String accessKeyId) {
        return Sql.queryOne(c, "SELECT * FROM credentials WHERE access_key_id = ?", rs -> new ScopedCredential(
                rs.getString("access_key_id"), rs.getString("session_token"), rs.getString("bucket"),
                rs.getString("object_key"), rs.getBoolean("is_prefix"), Access.valueOf(rs.getString("access")),
                instant(rs, "expiration")), accessKeyId);
    }

    @Override
    public synchronized int deleteExpiredCredentials(Instant now) {
        return Sql.update(c, "DELETE FROM credentials WHERE expiration < ?", now);
    }

    @Override
    public synchronized void close() {
        try {
            c.close();
        } catch (SQLException ignored) {
            // best effort at shutdown
        }
        if (ownedDatabase != null) {
            ownedDatabase.close();
        }
    }

    // ---- mapping

    private void writeTags(long fileId, List<String> tags) {
        for (int i = 0; i < tags.size(); i++) {
            Sql.update(c, "INSERT INTO file_tags VALUES (?,?,?)", fileId, i, tags.get(i));
        }
    }

    // tags are read after the file rows: DuckDB does not promise a second query while a result is open
    private StoredFile withTags(StoredFile f) {
        return f.withTags(Sql.query(c, "SELECT tag FROM file_tags WHERE file_id = ? ORDER BY position",
                r -> r.getString(1), f.id()));
    }

    private static StoredFile file(ResultSet rs) throws SQLException {
        return new StoredFile(rs.getLong("id"), rs.getString("name"), nullableLong(rs, "size_bytes"), rs.getString("content_type"),
                rs.getBoolean("is_public"), rs.getBoolean("is_sliced"), rs.getBoolean("is_encrypted"),
                rs.getBoolean("is_permanent"), rs.getString("file_type"), List.of(), rs.getString("run_id"),
                rs.getLong("creator_token_id"), rs.getString("creator_token_description"), rs.getString("object_key"),
                instant(rs, "created"), instant(rs, "expires"));
    }

    private static Table table(ResultSet rs) throws SQLException {
        return new Table(new TableRef(rs.getString("bucket_id"), rs.getString("name")), readList(rs.getString("columns_json")),
                readList(rs.getString("primary_key_json")), instant(rs, "created"), instant(rs, "last_import_date"),
                instant(rs, "last_change_date"), rs.getLong("rows_count"), rs.getLong("data_size_bytes"));
    }

    private static String writeList(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot store a list", e);
        }
    }

    private static List<String> readList(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "A stored list is unreadable", e);
        }
    }

    private static Bucket bucket(ResultSet rs) throws SQLException {
        return new Bucket(rs.getString("id"), rs.getString("name"), rs.getString("display_name"),
                rs.getString("stage"), rs.getString("description"), rs.getString("backend"), instant(rs, "created"));
    }

    private static Token token(ResultSet rs) throws SQLException {
        return new Token(rs.getLong("id"), rs.getString("description"), rs.getString("secret_hash"),
                rs.getBoolean("is_master"), rs.getBoolean("can_manage_buckets"), rs.getBoolean("can_manage_tokens"),
                rs.getBoolean("can_read_all_file_uploads"), StoredJson.readPermissions(rs.getString("bucket_permissions")),
                instant(rs, "created"), instant(rs, "refreshed"), instant(rs, "expires"),
                nullableLong(rs, "creator_token_id"));
    }
}
