package io.granary.core.port;

import io.granary.core.model.Bucket;
import io.granary.core.model.FileQuery;
import io.granary.core.model.Metadata;
import io.granary.core.model.ScopedCredential;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable record of what exists: tokens, buckets, tables, files, workspaces and minted credentials.
 * Every method is atomic on its own and safe to call from many threads. Implementations never hold user
 * data (table rows, file bytes) or secrets in clear (token and workspace passwords), only metadata.
 */
public interface Catalog extends AutoCloseable {

    /** Stores a token with a fresh id (the given id is ignored) and returns it with its id. */
    Token insertToken(Token token);

    Optional<Token> findToken(long id);

    /** Finds a token by the SHA-256 hex of its secret. */
    Optional<Token> findTokenBySecretHash(String secretHash);

    /** All tokens, ordered by id. */
    List<Token> listTokens();

    /** Replaces a token's secret hash and refreshed time; false when there is no such token. */
    boolean updateTokenSecret(long id, String secretHash, Instant refreshed);

    /** Removes a token; false when there was none. */
    boolean deleteToken(long id);

    /** Stores a bucket; false (and nothing changed) when its id or display name is taken. */
    boolean insertBucket(Bucket bucket);

    Optional<Bucket> findBucket(String id);

    /** All buckets, ordered by id. */
    List<Bucket> listBuckets();

    boolean deleteBucket(String id);

    /** Stores a table's metadata; false (and nothing changed) when a table with its id exists. */
    boolean insertTable(Table table);

    Optional<Table> findTable(String tableId);

    /** Tables of one bucket, or of all buckets when {@code bucketId} is null, ordered by id. */
    List<Table> listTables(String bucketId);

    /** Replaces a table's metadata (columns, primary key, dates, stats); false when there is none. */
    boolean updateTable(Table table);

    boolean deleteTable(String tableId);

    /**
     * Sets metadata on a table ({@code column} null) or a column: each entry replaces the one with the same key and
     * provider. Returns the object's entries afterwards.
     */
    List<Metadata> putMetadata(String tableId, String column, String provider, java.util.Map<String, String> entries,
            Instant timestamp);

    /** Every metadata entry of a table and its columns, oldest first. */
    List<Metadata> listMetadata(String tableId);

    /** Removes all metadata of a table (when it is dropped). */
    void deleteMetadata(String tableId);

    /** A new, never reused file id; lets the caller build the object key before inserting. */
    long nextFileId();

    void insertFile(StoredFile file);

    Optional<StoredFile> findFile(long id);

    /** Files matching the query, newest (highest id) first. */
    List<StoredFile> listFiles(FileQuery query);

    /** Replaces a file's tags (the caller de-duplicates); false when there is no such file. */
    boolean updateFileTags(long id, List<String> tags);

    /** Records the size of a file once its bytes are known; false when there is no such file. */
    boolean updateFileSize(long id, long sizeBytes);

    boolean deleteFile(long id);

    /** Up to {@code limit} files whose expiry is at or before {@code now}. */
    List<StoredFile> listExpiredFiles(Instant now, int limit);

    /** A new, never reused workspace id (the workspace's schema is named after it before the row exists). */
    long nextWorkspaceId();

    /** Stores a workspace under its id; false (and nothing changed) when a workspace with that id exists. */
    boolean insertWorkspace(Workspace workspace);

    Optional<Workspace> findWorkspace(long id);

    /** All workspaces, ordered by id. */
    List<Workspace> listWorkspaces();

    boolean deleteWorkspace(long id);

    void insertCredential(ScopedCredential credential);

    Optional<ScopedCredential> findCredential(String accessKeyId);

    /** Removes credentials that expired before {@code now}; returns how many. */
    int deleteExpiredCredentials(Instant now);

    @Override
    void close();
}
