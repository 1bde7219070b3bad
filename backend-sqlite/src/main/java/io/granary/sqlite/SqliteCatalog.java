package io.granary.sqlite;

import static io.granary.sqlite.Session.instant;
import static io.granary.sqlite.Session.nullableLong;

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
import io.granary.core.port.Catalog;
import io.granary.core.util.StoredJson;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The catalog of one embedded node, in a SQLite file ({@link SqliteDatabase}): point reads run on reader connections
 * in parallel, writes one at a time on the writer, each a single statement or one short transaction.
 */
public final class SqliteCatalog implements Catalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqliteDatabase db;
    private final boolean ownsDatabase;
    // every request looks its token up; only this object changes tokens in this file, so it knows when to forget
    private final TokenCache tokens = new TokenCache();

    /** Opens (creating if needed) a catalog in its own database file, closed with it. */
    public SqliteCatalog(Path databaseFile) {
        this(new SqliteDatabase(databaseFile), true);
    }

    /** A catalog in an already open database (shared with the job queue); does not close it. */
    public SqliteCatalog(SqliteDatabase database) {
        this(database, false);
    }

    private SqliteCatalog(SqliteDatabase database, boolean owned) {
        this.db = database;
        this.ownsDatabase = owned;
        try {
            db.write(s -> {
                SqliteSchema.create(s);
                return null;
            });
        } catch (RuntimeException e) {
            if (owned) {
                database.close();
            }
            throw e;
        }
    }

    // ---- tokens

    @Override
    public Token insertToken(Token t) {
        return tokens.changing(() -> db.transaction(s -> {
            long id = s.nextId(SqliteSchema.TOKEN);
            s.update("INSERT INTO tokens VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", id, t.description(), t.secretHash(),
                    t.isMasterToken(), t.canManageBuckets(), t.canManageTokens(), t.canReadAllFileUploads(),
                    StoredJson.writePermissions(t.bucketPermissions()), t.created(), t.refreshed(), t.expires(),
                    t.creatorTokenId());
            return s.queryOne("SELECT * FROM tokens WHERE id = ?", SqliteCatalog::token, id).orElseThrow();
        }));
    }

    @Override
    public Optional<Token> findToken(long id) {
        return db.read(s -> s.queryOne("SELECT * FROM tokens WHERE id = ?", SqliteCatalog::token, id));
    }

    @Override
    public Optional<Token> findTokenBySecretHash(String secretHash) {
        return tokens.find(secretHash, () -> db.read(s -> s.queryOne("SELECT * FROM tokens WHERE secret_hash = ?",
                SqliteCatalog::token, secretHash)));
    }

    @Override
    public List<Token> listTokens() {
        return db.read(s -> s.query("SELECT * FROM tokens ORDER BY id", SqliteCatalog::token));
    }

    @Override
    public boolean updateTokenSecret(long id, String secretHash, Instant refreshed) {
        return tokens.changing(() -> db.write(s -> s.update("UPDATE tokens SET secret_hash = ?, refreshed = ? WHERE id = ?",
                secretHash, refreshed, id) > 0));
    }

    @Override
    public boolean deleteToken(long id) {
        return tokens.changing(() -> db.write(s -> s.update("DELETE FROM tokens WHERE id = ?", id) > 0));
    }

    // ---- buckets

    @Override
    public boolean insertBucket(Bucket b) {
        // writes are serialised, so the look and the insert are one atomic step
        return db.transaction(s -> {
            if (s.queryOne("SELECT 1 FROM buckets WHERE id = ? OR (stage = ? AND display_name = ?)", rs -> true, b.id(),
                    b.stage(), b.displayName()).isPresent()) {
                return false;
            }
            s.update("INSERT INTO buckets VALUES (?,?,?,?,?,?,?)", b.id(), b.name(), b.displayName(), b.stage(),
                    b.description(), b.backend(), b.created());
            return true;
        });
    }

    @Override
    public Optional<Bucket> findBucket(String id) {
        return db.read(s -> s.queryOne("SELECT * FROM buckets WHERE id = ?", SqliteCatalog::bucket, id));
    }

    @Override
    public List<Bucket> listBuckets() {
        return db.read(s -> s.query("SELECT * FROM buckets ORDER BY id", SqliteCatalog::bucket));
    }

    @Override
    public boolean deleteBucket(String id) {
        return db.write(s -> s.update("DELETE FROM buckets WHERE id = ?", id) > 0);
    }

    // ---- tables

    @Override
    public boolean insertTable(Table t) {
        return db.write(s -> s.update("INSERT OR IGNORE INTO tables VALUES (?,?,?,?,?,?,?,?,?,?)", t.id(),
                t.ref().bucketId(), t.ref().name(), writeList(t.columns()), writeList(t.primaryKey()), t.created(),
                t.lastImportDate(), t.lastChangeDate(), t.rowsCount(), t.dataSizeBytes()) > 0);
    }

    @Override
    public Optional<Table> findTable(String tableId) {
        return db.read(s -> s.queryOne("SELECT * FROM tables WHERE id = ?", SqliteCatalog::table, tableId));
    }

    @Override
    public List<Table> listTables(String bucketId) {
        if (bucketId == null) {
            return db.read(s -> s.query("SELECT * FROM tables ORDER BY id", SqliteCatalog::table));
        }
        return db.read(s -> s.query("SELECT * FROM tables WHERE bucket_id = ? ORDER BY id", SqliteCatalog::table,
                bucketId));
    }

    @Override
    public boolean updateTable(Table t) {
        return db.write(s -> s.update("""
                UPDATE tables SET columns_json = ?, primary_key_json = ?, last_import_date = ?, last_change_date = ?,
                  rows_count = ?, data_size_bytes = ? WHERE id = ?""",
                writeList(t.columns()), writeList(t.primaryKey()), t.lastImportDate(), t.lastChangeDate(), t.rowsCount(),
                t.dataSizeBytes(), t.id()) > 0);
    }

    @Override
    public boolean deleteTable(String tableId) {
        return db.write(s -> s.update("DELETE FROM tables WHERE id = ?", tableId) > 0);
    }

    // ---- metadata

    @Override
    public List<Metadata> putMetadata(String tableId, String column, String provider, Map<String, String> entries,
            Instant timestamp) {
        return db.transaction(s -> {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                s.update("DELETE FROM metadata WHERE table_id = ? AND column_name IS ? AND provider = ? AND key = ?",
                        tableId, column, provider, e.getKey());
                s.update("INSERT INTO metadata VALUES (?,?,?,?,?,?,?)", s.nextId(SqliteSchema.METADATA), tableId, column,
                        provider, e.getKey(), e.getValue(), timestamp);
            }
            return metadata(s, tableId).stream().filter(m -> Objects.equals(m.column(), column)).toList();
        });
    }

    @Override
    public List<Metadata> listMetadata(String tableId) {
        return db.read(s -> metadata(s, tableId));
    }

    private static List<Metadata> metadata(Session s, String tableId) {
        return s.query("SELECT * FROM metadata WHERE table_id = ? ORDER BY id", rs -> new Metadata(rs.getLong("id"),
                rs.getString("table_id"), rs.getString("column_name"), rs.getString("provider"), rs.getString("key"),
                rs.getString("value"), instant(rs, "ts")), tableId);
    }

    @Override
    public void deleteMetadata(String tableId) {
        db.write(s -> s.update("DELETE FROM metadata WHERE table_id = ?", tableId));
    }

    // ---- files

    @Override
    public long nextFileId() {
        // in a transaction: the RETURNING row is read before the statement commits
        return db.transaction(s -> s.nextId(SqliteSchema.FILE));
    }

    @Override
    public void insertFile(StoredFile f) {
        db.transaction(s -> {
            s.update("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", f.id(), f.name(), f.sizeBytes(),
                    f.contentType(), f.isPublic(), f.isSliced(), f.isEncrypted(), f.isPermanent(), f.fileType(),
                    f.runId(), f.creatorTokenId(), f.creatorTokenDescription(), f.key(), f.created(), f.expires());
            writeTags(s, f.id(), f.tags());
            return null;
        });
    }

    @Override
    public Optional<StoredFile> findFile(long id) {
        return db.read(s -> s.queryOne("SELECT * FROM files WHERE id = ?", SqliteCatalog::file, id)
                .map(f -> withTags(s, f)));
    }

    @Override
    public List<StoredFile> listFiles(FileQuery q) {
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
            sql.append(" AND contains_ci(name, ?)");
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
        return db.read(s -> s.query(sql.toString(), SqliteCatalog::file, args.toArray()).stream()
                .map(f -> withTags(s, f)).toList());
    }

    @Override
    public boolean updateFileTags(long id, List<String> tags) {
        return db.transaction(s -> {
            if (s.queryOne("SELECT 1 FROM files WHERE id = ?", rs -> true, id).isEmpty()) {
                return false;
            }
            s.update("DELETE FROM file_tags WHERE file_id = ?", id);
            writeTags(s, id, tags);
            return true;
        });
    }

    @Override
    public boolean updateFileSize(long id, long sizeBytes) {
        return db.write(s -> s.update("UPDATE files SET size_bytes = ? WHERE id = ?", sizeBytes, id) > 0);
    }

    @Override
    public boolean deleteFile(long id) {
        return db.transaction(s -> {
            s.update("DELETE FROM file_tags WHERE file_id = ?", id);
            return s.update("DELETE FROM files WHERE id = ?", id) > 0;
        });
    }

    @Override
    public List<StoredFile> listExpiredFiles(Instant now, int limit) {
        return db.read(s -> s.query("SELECT * FROM files WHERE expires IS NOT NULL AND expires <= ? ORDER BY id LIMIT ?",
                SqliteCatalog::file, now, limit).stream().map(f -> withTags(s, f)).toList());
    }

    // ---- workspaces

    @Override
    public long nextWorkspaceId() {
        return db.transaction(s -> s.nextId(SqliteSchema.WORKSPACE));
    }

    @Override
    public boolean insertWorkspace(Workspace w) {
        return db.write(s -> s.update("INSERT OR IGNORE INTO workspaces VALUES (?,?,?,?,?,?,?,?,?,?)", w.id(), w.name(),
                w.backend(), w.component(), w.configurationId(), w.readOnlyStorageAccess(),
                StoredJson.writeStrings(w.connection()), w.creatorTokenId(), w.creatorTokenDescription(),
                w.created()) > 0);
    }

    @Override
    public Optional<Workspace> findWorkspace(long id) {
        return db.read(s -> s.queryOne("SELECT * FROM workspaces WHERE id = ?", SqliteCatalog::workspace, id));
    }

    @Override
    public List<Workspace> listWorkspaces() {
        return db.read(s -> s.query("SELECT * FROM workspaces ORDER BY id", SqliteCatalog::workspace));
    }

    @Override
    public boolean deleteWorkspace(long id) {
        return db.write(s -> s.update("DELETE FROM workspaces WHERE id = ?", id) > 0);
    }

    // ---- credentials

    @Override
    public void insertCredential(ScopedCredential k) {
        db.write(s -> s.update("INSERT INTO credentials VALUES (?,?,?,?,?,?,?)", k.accessKeyId(), k.sessionToken(),
                k.bucket(), k.key(), k.prefix(), k.access().name(), k.expiration()));
    }

    @Override
    public Optional<ScopedCredential> findCredential(String accessKeyId) {
        return db.read(s -> s.queryOne("SELECT * FROM credentials WHERE access_key_id = ?", rs -> new ScopedCredential(
                rs.getString("access_key_id"), rs.getString("session_token"), rs.getString("bucket"),
                rs.getString("object_key"), rs.getBoolean("is_prefix"), Access.valueOf(rs.getString("access")),
                instant(rs, "expiration")), accessKeyId));
    }

    @Override
    public int deleteExpiredCredentials(Instant now) {
        return db.write(s -> s.update("DELETE FROM credentials WHERE expiration < ?", now));
    }

    @Override
    public void close() {
        if (ownsDatabase) {
            db.close();
        }
    }

    // ---- mapping

    private static void writeTags(Session s, long fileId, List<String> tags) {
        for (int i = 0; i < tags.size(); i++) {
            s.update("INSERT INTO file_tags VALUES (?,?,?)", fileId, i, tags.get(i));
        }
    }

    private static StoredFile withTags(Session s, StoredFile f) {
        return f.withTags(s.query("SELECT tag FROM file_tags WHERE file_id = ? ORDER BY position", r -> r.getString(1),
                f.id()));
    }

    private static StoredFile file(ResultSet rs) throws SQLException {
        return new StoredFile(rs.getLong("id"), rs.getString("name"), nullableLong(rs, "size_bytes"),
                rs.getString("content_type"), rs.getBoolean("is_public"), rs.getBoolean("is_sliced"),
                rs.getBoolean("is_encrypted"), rs.getBoolean("is_permanent"), rs.getString("file_type"), List.of(),
                rs.getString("run_id"), rs.getLong("creator_token_id"), rs.getString("creator_token_description"),
                rs.getString("object_key"), instant(rs, "created"), instant(rs, "expires"));
    }

    private static Table table(ResultSet rs) throws SQLException {
        return new Table(new TableRef(rs.getString("bucket_id"), rs.getString("name")),
                readList(rs.getString("columns_json")), readList(rs.getString("primary_key_json")),
                instant(rs, "created"), instant(rs, "last_import_date"), instant(rs, "last_change_date"),
                rs.getLong("rows_count"), rs.getLong("data_size_bytes"));
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

    private static Workspace workspace(ResultSet rs) throws SQLException {
        return new Workspace(rs.getLong("id"), rs.getString("name"), rs.getString("backend"), rs.getString("component"),
                rs.getString("configuration_id"), rs.getBoolean("read_only_storage_access"),
                StoredJson.readStrings(rs.getString("connection_json")), rs.getLong("creator_token_id"),
                rs.getString("creator_token_description"), instant(rs, "created"));
    }

    private static Bucket bucket(ResultSet rs) throws SQLException {
        return new Bucket(rs.getString("id"), rs.getString("name"), rs.getString("display_name"), rs.getString("stage"),
                rs.getString("description"), rs.getString("backend"), instant(rs, "created"));
    }

    private static Token token(ResultSet rs) throws SQLException {
        return new Token(rs.getLong("id"), rs.getString("description"), rs.getString("secret_hash"),
                rs.getBoolean("is_master"), rs.getBoolean("can_manage_buckets"), rs.getBoolean("can_manage_tokens"),
                rs.getBoolean("can_read_all_file_uploads"), StoredJson.readPermissions(rs.getString("bucket_permissions")),
                instant(rs, "created"), instant(rs, "refreshed"), instant(rs, "expires"),
                nullableLong(rs, "creator_token_id"));
    }
}
