package io.granary.sqlite;

/**
 * The tables of the embedded catalog and job queue. Column names are those of the DuckDB catalog before it (so a
 * migration copies them by name); times are epoch milliseconds, lists and permissions JSON text, booleans 0/1.
 * {@code sequences} hands out ids that are never reused, as the DuckDB sequences did.
 */
final class SqliteSchema {

    /** The sequences, each named after what it numbers. */
    static final String TOKEN = "token";
    static final String FILE = "file";
    static final String METADATA = "metadata";
    static final String JOB = "job";
    static final String WORKSPACE = "workspace";

    private SqliteSchema() {
    }

    static void create(Session s) {
        s.execute(
                "CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
                "INSERT OR IGNORE INTO sequences VALUES ('token', 0), ('file', 0), ('metadata', 0), ('job', 0),"
                        + " ('workspace', 0)",
                """
                CREATE TABLE IF NOT EXISTS tokens (
                  id INTEGER PRIMARY KEY, description TEXT, secret_hash TEXT NOT NULL,
                  is_master INTEGER NOT NULL, can_manage_buckets INTEGER NOT NULL,
                  can_manage_tokens INTEGER NOT NULL, can_read_all_file_uploads INTEGER NOT NULL,
                  bucket_permissions TEXT NOT NULL, created INTEGER NOT NULL, refreshed INTEGER,
                  expires INTEGER, creator_token_id INTEGER)""",
                "CREATE INDEX IF NOT EXISTS tokens_secret_hash ON tokens (secret_hash)",
                """
                CREATE TABLE IF NOT EXISTS buckets (
                  id TEXT PRIMARY KEY, name TEXT NOT NULL, display_name TEXT NOT NULL,
                  stage TEXT NOT NULL, description TEXT, backend TEXT, created INTEGER NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS buckets_display_name ON buckets (stage, display_name)",
                """
                CREATE TABLE IF NOT EXISTS tables (
                  id TEXT PRIMARY KEY, bucket_id TEXT NOT NULL, name TEXT NOT NULL,
                  columns_json TEXT NOT NULL, primary_key_json TEXT NOT NULL, created INTEGER NOT NULL,
                  last_import_date INTEGER, last_change_date INTEGER, rows_count INTEGER NOT NULL,
                  data_size_bytes INTEGER NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS tables_bucket ON tables (bucket_id, id)",
                """
                CREATE TABLE IF NOT EXISTS metadata (
                  id INTEGER PRIMARY KEY, table_id TEXT NOT NULL, column_name TEXT, provider TEXT NOT NULL,
                  key TEXT NOT NULL, value TEXT, ts INTEGER NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS metadata_table ON metadata (table_id, id)",
                """
                CREATE TABLE IF NOT EXISTS files (
                  id INTEGER PRIMARY KEY, name TEXT NOT NULL, size_bytes INTEGER, content_type TEXT,
                  is_public INTEGER NOT NULL, is_sliced INTEGER NOT NULL, is_encrypted INTEGER NOT NULL,
                  is_permanent INTEGER NOT NULL, file_type TEXT, run_id TEXT,
                  creator_token_id INTEGER NOT NULL, creator_token_description TEXT,
                  object_key TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER)""",
                "CREATE INDEX IF NOT EXISTS files_expires ON files (expires) WHERE expires IS NOT NULL",
                """
                CREATE TABLE IF NOT EXISTS workspaces (
                  id INTEGER PRIMARY KEY, name TEXT NOT NULL, backend TEXT NOT NULL, component TEXT,
                  configuration_id TEXT, read_only_storage_access INTEGER NOT NULL, connection_json TEXT NOT NULL,
                  creator_token_id INTEGER NOT NULL, creator_token_description TEXT, created INTEGER NOT NULL)""",
                "CREATE TABLE IF NOT EXISTS file_tags (file_id INTEGER NOT NULL, position INTEGER NOT NULL, tag TEXT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS file_tags_file ON file_tags (file_id, position)",
                "CREATE INDEX IF NOT EXISTS file_tags_tag ON file_tags (tag)",
                """
                CREATE TABLE IF NOT EXISTS credentials (
                  access_key_id TEXT PRIMARY KEY, session_token TEXT NOT NULL, bucket TEXT NOT NULL,
                  object_key TEXT NOT NULL, is_prefix INTEGER NOT NULL, access TEXT NOT NULL,
                  expiration INTEGER NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS credentials_expiration ON credentials (expiration)",
                """
                CREATE TABLE IF NOT EXISTS jobs (
                  id INTEGER PRIMARY KEY, status TEXT NOT NULL, operation_name TEXT NOT NULL,
                  operation_params TEXT NOT NULL, table_id TEXT, lock_key TEXT, run_id TEXT,
                  creator_token_id INTEGER NOT NULL, creator_token_description TEXT,
                  created INTEGER NOT NULL, started INTEGER, ended INTEGER, results TEXT,
                  error_code TEXT, error_message TEXT, exception_id TEXT,
                  attempts INTEGER NOT NULL, progress_bytes INTEGER NOT NULL, progress_rows INTEGER NOT NULL,
                  worker_id TEXT, lease_until INTEGER, request TEXT, lock_group TEXT,
                  lock_whole_group INTEGER NOT NULL DEFAULT 0)""",
                // the claim looks only at unfinished jobs: they stay few however long the history grows
                "CREATE INDEX IF NOT EXISTS jobs_active ON jobs (status, id) WHERE status IN ('waiting', 'processing')",
                "CREATE INDEX IF NOT EXISTS jobs_active_lock ON jobs (lock_key, id) WHERE status IN ('waiting', 'processing')",
                "CREATE INDEX IF NOT EXISTS jobs_active_group ON jobs (lock_group, id)"
                        + " WHERE status IN ('waiting', 'processing') AND lock_group IS NOT NULL");
    }
}
