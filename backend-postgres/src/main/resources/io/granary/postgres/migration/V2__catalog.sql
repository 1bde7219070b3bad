-- The catalog shared by every node: tokens, buckets, tables and their metadata, files, minted
-- credentials. Uniqueness lives here (primary keys and unique constraints), never in a node's memory.
-- Ids that sort (bucket and table ids) are COLLATE "C": lists come out in byte order whatever the
-- database's locale, as the embedded catalog orders them, and the primary key index serves ORDER BY.

CREATE TABLE tokens (
  id                        BIGSERIAL PRIMARY KEY,
  description               TEXT,
  -- every API request looks a token up by this
  secret_hash               TEXT NOT NULL UNIQUE,
  is_master                 BOOLEAN NOT NULL,
  can_manage_buckets        BOOLEAN NOT NULL,
  can_manage_tokens         BOOLEAN NOT NULL,
  can_read_all_file_uploads BOOLEAN NOT NULL,
  bucket_permissions        JSONB NOT NULL,
  created                   TIMESTAMPTZ NOT NULL,
  refreshed                 TIMESTAMPTZ,
  expires                   TIMESTAMPTZ,
  creator_token_id          BIGINT
);

CREATE TABLE buckets (
  id           TEXT COLLATE "C" PRIMARY KEY,
  name         TEXT NOT NULL,
  display_name TEXT NOT NULL,
  stage        TEXT NOT NULL,
  description  TEXT,
  backend      TEXT,
  created      TIMESTAMPTZ NOT NULL,
  CONSTRAINT buckets_display_name UNIQUE (stage, display_name)
);

CREATE TABLE tables (
  id               TEXT COLLATE "C" PRIMARY KEY,
  bucket_id        TEXT COLLATE "C" NOT NULL,
  name             TEXT NOT NULL,
  columns          TEXT[] NOT NULL,
  primary_key      TEXT[] NOT NULL,
  created          TIMESTAMPTZ NOT NULL,
  last_import_date TIMESTAMPTZ,
  last_change_date TIMESTAMPTZ,
  rows_count       BIGINT NOT NULL,
  data_size_bytes  BIGINT NOT NULL
);

CREATE INDEX tables_bucket ON tables (bucket_id, id);

-- A replaced entry gets a new id (it is the newest entry), as in the embedded catalog.
CREATE TABLE metadata (
  id          BIGSERIAL PRIMARY KEY,
  table_id    TEXT NOT NULL,
  column_name TEXT,
  provider    TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT,
  ts          TIMESTAMPTZ NOT NULL
);

-- One entry per (table, column or none, provider, key): the upsert's conflict target. coalesce rather
-- than NULLS NOT DISTINCT, which needs PostgreSQL 15; no column is named ''.
CREATE UNIQUE INDEX metadata_entry ON metadata (table_id, (coalesce(column_name, '')), provider, key);

-- Ids are taken before the row is inserted (the object key contains the id), from a sequence so that
-- no two nodes ever get the same one and a deleted file's id is never handed out again.
CREATE SEQUENCE file_id_seq;

CREATE TABLE files (
  id                        BIGINT PRIMARY KEY,
  name                      TEXT NOT NULL,
  -- lower-cased by Granary, not by lower(): in a database with the C locale lower() folds only ASCII
  name_lower                TEXT NOT NULL,
  size_bytes                BIGINT,
  content_type              TEXT,
  is_public                 BOOLEAN NOT NULL,
  is_sliced                 BOOLEAN NOT NULL,
  is_encrypted              BOOLEAN NOT NULL,
  is_permanent              BOOLEAN NOT NULL,
  file_type                 TEXT,
  -- in the order given; an array makes a tag change one atomic UPDATE
  tags                      TEXT[] NOT NULL,
  run_id                    TEXT,
  creator_token_id          BIGINT NOT NULL,
  creator_token_description TEXT,
  object_key                TEXT NOT NULL,
  created                   TIMESTAMPTZ NOT NULL,
  expires                   TIMESTAMPTZ
);

-- Lists are newest first: the primary key, read backwards, serves the plain list and sinceId/maxId.
-- These serve the filters that would otherwise scan: tags (tags && array), a token's own uploads,
-- a run's files, and the expiry sweep. GIN indexes without fastupdate: files arrive one at a time,
-- and a list must not wait for a pending list that only vacuum flushes.
CREATE INDEX files_tags ON files USING GIN (tags) WITH (fastupdate = off);
CREATE INDEX files_creator ON files (creator_token_id, id);
CREATE INDEX files_run ON files (run_id, id);
CREATE INDEX files_expires ON files (expires) WHERE expires IS NOT NULL;

-- Name search (LIKE '%text%') uses a trigram index when pg_trgm can be had: a user without CREATE on
-- the database, or a server without the contrib modules, gets a catalog whose name search scans.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX files_name_trgm ON files USING GIN (name_lower gin_trgm_ops) WITH (fastupdate = off);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'no trigram index on file names (%): file name search will scan', SQLERRM;
END $$;

-- The S3 endpoint reads a credential on every request: a primary key lookup.
CREATE TABLE credentials (
  access_key_id TEXT PRIMARY KEY,
  session_token TEXT NOT NULL,
  bucket        TEXT NOT NULL,
  object_key    TEXT NOT NULL,
  is_prefix     BOOLEAN NOT NULL,
  access        TEXT NOT NULL,
  expiration    TIMESTAMPTZ NOT NULL
);

CREATE INDEX credentials_expiration ON credentials (expiration);
