-- The job queue shared by every node. A claimed job holds a lease that its node renews; a job whose
-- lease ran out (its node died) is put back to waiting or failed by any node.
CREATE TABLE jobs (
  id                        BIGSERIAL PRIMARY KEY,
  status                    TEXT NOT NULL,
  operation_name            TEXT NOT NULL,
  operation_params          TEXT NOT NULL,
  table_id                  TEXT,
  lock_key                  TEXT,
  run_id                    TEXT,
  creator_token_id          BIGINT NOT NULL,
  creator_token_description TEXT,
  created                   TIMESTAMPTZ NOT NULL,
  started                   TIMESTAMPTZ,
  ended                     TIMESTAMPTZ,
  results                   TEXT,
  error_code                TEXT,
  error_message             TEXT,
  exception_id              TEXT,
  attempts                  INTEGER NOT NULL DEFAULT 0,
  progress_bytes            BIGINT NOT NULL DEFAULT 0,
  progress_rows             BIGINT NOT NULL DEFAULT 0,
  worker_id                 TEXT,
  lease_until               TIMESTAMPTZ
);

CREATE INDEX jobs_waiting ON jobs (id) WHERE status = 'waiting';
CREATE INDEX jobs_active_lock_key ON jobs (lock_key, id) WHERE status IN ('waiting', 'processing');
CREATE INDEX jobs_processing_lease ON jobs (lease_until) WHERE status = 'processing';
CREATE INDEX jobs_table ON jobs (table_id, id);
CREATE INDEX jobs_creator ON jobs (creator_token_id, id);
