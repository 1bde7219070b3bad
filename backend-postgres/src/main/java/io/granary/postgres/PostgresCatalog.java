package io.granary.postgres;

import io.granary.core.util.StoredJson;
import io.granary.core.model.Bucket;
import io.granary.core.model.FileQuery;
import io.granary.core.model.Metadata;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import io.granary.core.port.Catalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The catalog in the PostgreSQL database that every node shares. Holds no state of its own: each call
 * is one statement or one short transaction on a pooled connection, and uniqueness (ids, bucket names)
 * is enforced by the database, so any number of nodes may use the same database at once.
 */
public final class PostgresCatalog implements Catalog {

    // first key of the advisory locks that serialise metadata writes per table (the second is the table id's hash)
    private static final int METADATA_LOCK = 0x6d657461;

    private final PostgresDatabase ownedDatabase;
    private final Jdbc sql;

    /** Opens a pool of its own (migrating the schema if needed) and closes it on {@link #close()}. */
    public PostgresCatalog(PostgresConfig config) {
        this(new PostgresDatabase(config), true);
    }

    /** A catalog on an already open pool (shared with the job queue); does not close it. */
    public PostgresCatalog(PostgresDatabase database) {
        this(database, false);
    }

    private PostgresCatalog(PostgresDatabase database, boolean owned) {
        this.ownedDatabase = owned ? database : null;
        this.sql = new Jdbc(database);
    }

    // ---- tokens

    @Override
    public Token insertToken(Token t) {
        return sql.queryOne("""
                INSERT INTO tokens (description, secret_hash, is_master, can_manage_buckets, can_manage_tokens,
                  can_read_all_file_uploads, bucket_permissions, created, refreshed, expires, creator_token_id)
                VALUES (?,?,?,?,?,?,?::jsonb,?,?,?,?) RETURNING *""", CatalogRows::token,
                t.description(), t.secretHash(), t.isMasterToken(), t.canManageBuckets(), t.canManageTokens(),
                t.canReadAllFileUploads(), StoredJson.writePermissions(t.bucketPermissions()), t.created(),
                t.refreshed(), t.expires(), t.creatorTokenId()).orElseThrow();
    }

    @Override
    public Optional<Token> findToken(long id) {
        return sql.queryOne("SELECT * FROM tokens WHERE id = ?", CatalogRows::token, id);
    }

    @Override
    public Optional<Token> findTokenBySecretHash(String secretHash) {
        return sql.queryOne("SELECT * FROM tokens WHERE secret_hash = ?", CatalogRows::token, secretHash);
    }

    @Override
    public List<Token> listTokens() {
        return sql.query("SELECT * FROM tokens ORDER BY id", CatalogRows::token);
    }

    @Override
    public boolean updateTokenSecret(long id, String secretHash, Instant refreshed) {
        return sql.update("UPDATE tokens SET secret_hash = ?, refreshed = ? WHERE id = ?", secretHash, refreshed, id) > 0;
    }

    @Override
    public boolean deleteToken(long id) {
        return sql.update("DELETE FROM tokens WHERE id = ?", id) > 0;
    }

    // ---- buckets

    @Override
    public boolean insertBucket(Bucket b) {
        // no conflict target: a taken id and a taken (stage, display name) both make it a no-op
        return sql.update("""
                INSERT INTO buckets (id, name, display_name, stage, description, backend, created)
                VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING""",
                b.id(), b.name(), b.displayName(), b.stage(), b.description(), b.backend(), b.created()) > 0;
    }

    @Override
    public Optional<Bucket> findBucket(String id) {
        return sql.queryOne("SELECT * FROM buckets WHERE id = ?", CatalogRows::bucket, id);
    }

    @Override
    public List<Bucket> listBuckets() {
        return sql.query("SELECT * FROM buckets ORDER BY id", CatalogRows::bucket);
    }

    @Override
    public boolean deleteBucket(String id) {
        return sql.update("DELETE FROM buckets WHERE id = ?", id) > 0;
    }

    // ---- tables

    @Override
    public boolean insertTable(Table t) {
        return sql.update("""
                INSERT INTO tables (id, bucket_id, name, columns, primary_key, created, last_import_date,
                  last_change_date, rows_count, data_size_bytes)
                VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING""",
                t.id(), t.ref().bucketId(), t.ref().name(), t.columns(), t.primaryKey(), t.created(),
                t.lastImportDate(), t.lastChangeDate(), t.rowsCount(), t.dataSizeBytes()) > 0;
    }

    @Override
    public Optional<Table> findTable(String tableId) {
        return sql.queryOne("SELECT * FROM tables WHERE id = ?", CatalogRows::table, tableId);
    }

    @Override
    public List<Table> listTables(String bucketId) {
        if (bucketId == null) {
            return sql.query("SELECT * FROM tables ORDER BY id", CatalogRows::table);
        }
        return sql.query("SELECT * FROM tables WHERE bucket_id = ? ORDER BY id", CatalogRows::table, bucketId);
    }

    @Override
    public boolean updateTable(Table t) {
        return sql.update("""
                UPDATE tables SET columns = ?, primary_key = ?, last_import_date = ?, last_change_date = ?,
                  rows_count = ?, data_size_bytes = ? WHERE id = ?""",
                t.columns(), t.primaryKey(), t.lastImportDate(), t.lastChangeDate(), t.rowsCount(), t.dataSizeBytes(),
                t.id()) > 0;
    }

    @Override
    public boolean deleteTable(String tableId) {
        return sql.update("DELETE FROM tables WHERE id = ?", tableId) > 0;
    }

    // ---- metadata

    // Writers of one table's metadata take a transaction-scoped advisory lock first: two nodes upserting
    // overlapping keys in different orders would otherwise deadlock on the row locks.
    @Override
    public List<Metadata> putMetadata(String tableId, String column, String provider, Map<String, String> entries,
            Instant timestamp) {
        return sql.inTransaction(c -> {
            lockMetadata(c, tableId);
            for (Map.Entry<String, String> e : entries.entrySet()) {
                Jdbc.update(c, """
                        INSERT INTO metadata (table_id, column_name, provider, key, value, ts) VALUES (?,?,?,?,?,?)
                        ON CONFLICT (table_id, (coalesce(column_name, '')), provider, key)
                        DO UPDATE SET id = EXCLUDED.id, value = EXCLUDED.value, ts = EXCLUDED.ts""",
                        tableId, column, provider, e.getKey(), e.getValue(), timestamp);
            }
            return Jdbc.query(c, """
                    SELECT * FROM metadata WHERE table_id = ? AND coalesce(column_name, '') = coalesce(?, '')
                    ORDER BY id""", CatalogRows::metadata, tableId, column);
        });
    }

    @Override
    public List<Metadata> listMetadata(String tableId) {
        return sql.query("SELECT * FROM metadata WHERE table_id = ? ORDER BY id", CatalogRows::metadata, tableId);
    }

    @Override
    public void deleteMetadata(String tableId) {
        sql.inTransaction(c -> {
            lockMetadata(c, tableId);
            return Jdbc.update(c, "DELETE FROM metadata WHERE table_id = ?", tableId);
        });
    }

    private static void lockMetadata(Connection c, String tableId) throws SQLException {
        Jdbc.query(c, "SELECT pg_advisory_xact_lock(?, hashtext(?))", rs -> null, METADATA_LOCK, tableId);
    }

    // ---- files

    // ---- workspaces

    @Override
    public long nextWorkspaceId() {
        return sql.queryOne("SELECT nextval('workspace_id_seq')", rs -> rs.getLong(1)).orElseThrow();
    }

    @Override
    public boolean insertWorkspace(Workspace w) {
        return sql.update("""
                INSERT INTO workspaces (id, name, backend, component, configuration_id, read_only_storage_access,
                  connection, creator_token_id, creator_token_description, created)
                VALUES (?,?,?,?,?,?,?::json,?,?,?) ON CONFLICT (id) DO NOTHING""",
                w.id(), w.name(), w.backend(), w.component(), w.configurationId(), w.readOnlyStorageAccess(),
                StoredJson.writeStrings(w.connection()), w.creatorTokenId(), w.creatorTokenDescription(),
                w.created()) > 0;
    }

    @Override
    public Optional<Workspace> findWorkspace(long id) {
        return sql.queryOne("SELECT * FROM workspaces WHERE id = ?", CatalogRows::workspace, id);
    }

    @Override
    public List<Workspace> listWorkspaces() {
        return sql.query("SELECT * FROM workspaces ORDER BY id", CatalogRows::workspace);
    }

    @Override
    public boolean deleteWorkspace(long id) {
        return sql.update("DELETE FROM workspaces WHERE id = ?", id) > 0;
    }

    @Override
    public long nextFileId() {
        return sql.queryOne("SELECT nextval('file_id_seq')", rs -> rs.getLong(1)).orElseThrow();
    }

    @Override
    public void insertFile(StoredFile f) {
        sql.update("""
                INSERT INTO files (id, name, name_lower, size_bytes, content_type, is_public, is_sliced, is_encrypted,
                  is_permanent, file_type, tags, run_id, creator_token_id, creator_token_description, object_key,
                  created, expires)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                f.id(), f.name(), f.name().toLowerCase(Locale.ROOT), f.sizeBytes(), f.contentType(), f.isPublic(), f.isSliced(), f.isEncrypted(),
                f.isPermanent(), f.fileType(), f.tags(), f.runId(), f.creatorTokenId(), f.creatorTokenDescription(),
                f.key(), f.created(), f.expires());
    }

    @Override
    public Optional<StoredFile> findFile(long id) {
        return sql.queryOne("SELECT * FROM files WHERE id = ?", CatalogRows::file, id);
    }

    @Override
    public List<StoredFile> listFiles(FileQuery q) {
        StringBuilder where = new StringBuilder("SELECT * FROM files WHERE true");
        List<Object> args = new ArrayList<>();
        if (q.sinceId() != null) {
            where.append(" AND id > ?");
            args.add(q.sinceId());
        }
        if (q.maxId() != null) {
            where.append(" AND id <= ?");
            args.add(q.maxId());
        }
        if (q.runId() != null) {
            where.append(" AND run_id = ?");
            args.add(q.runId());
        }
        if (q.nameContains() != null) {
            // LIKE rather than strpos: a trigram index can serve it; % _ \ in the search text are escaped
            where.append(" AND name_lower LIKE ? ESCAPE '\\'");
            args.add("%" + likeLiteral(q.nameContains().toLowerCase(Locale.ROOT)) + "%");
        }
        if (q.creatorTokenId() != null) {
            where.append(" AND creator_token_id = ?");
            args.add(q.creatorTokenId());
        }
        if (!q.showExpired()) {
            where.append(" AND (expires IS NULL OR expires > ?)");
            args.add(q.now());
        }
        if (!q.tags().isEmpty()) {
            // any of the tags (FileQuery's contract); && is served by the GIN index
            where.append(" AND tags && ?");
            args.add(q.tags());
        }
        where.append(" ORDER BY id DESC LIMIT ? OFFSET ?");
        args.add(q.limit());
        args.add(q.offset());
        return sql.query(where.toString(), CatalogRows::file, args.toArray());
    }

    private static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    @Override
    public boolean updateFileTags(long id, List<String> tags) {
        return sql.update("UPDATE files SET tags = ? WHERE id = ?", tags, id) > 0;
    }

    @Override
    public boolean updateFileSize(long id, long sizeBytes) {
        return sql.update("UPDATE files SET size_bytes = ? WHERE id = ?", sizeBytes, id) > 0;
    }

    @Override
    public boolean deleteFile(long id) {
        return sql.update("DELETE FROM files WHERE id = ?", id) > 0;
    }

    @Override
    public List<StoredFile> listExpiredFiles(Instant now, int limit) {
        return sql.query("SELECT * FROM files WHERE expires <= ? ORDER BY id LIMIT ?", CatalogRows::file, now, limit);
    }

    // ---- credentials

    @Override
    public void insertCredential(ScopedCredential k) {
        sql.update("""
                INSERT INTO credentials (access_key_id, session_token, bucket, object_key, is_prefix, access, expiration)
                VALUES (?,?,?,?,?,?,?)""", k.accessKeyId(), k.sessionToken(), k.bucket(), k.key(), k.prefix(),
                k.access().name(), k.expiration());
    }

    @Override
    public Optional<ScopedCredential> findCredential(String accessKeyId) {
        return sql.queryOne("SELECT * FROM credentials WHERE access_key_id = ?", CatalogRows::credential, accessKeyId);
    }

    @Override
    public int deleteExpiredCredentials(Instant now) {
        return sql.update("DELETE FROM credentials WHERE expiration < ?", now);
    }

    @Override
    public void close() {
        if (ownedDatabase != null) {
            ownedDatabase.close();
        }
    }
}
