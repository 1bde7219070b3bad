-- Workspaces: an isolated schema with a login role of its own each (the role and schema are named after the id,
-- which is taken from the sequence before they exist). The password is never stored: PostgreSQL keeps the
-- role's SCRAM verifier, and the connection fields here are what clients are shown.
CREATE SEQUENCE workspace_id_seq;

CREATE TABLE workspaces (
  id                        BIGINT PRIMARY KEY,
  name                      TEXT NOT NULL,
  backend                   TEXT NOT NULL,
  component                 TEXT,
  configuration_id          TEXT,
  read_only_storage_access  BOOLEAN NOT NULL,
  -- the field order is what clients see, so JSON (which keeps it), not JSONB
  connection                JSON NOT NULL,
  creator_token_id          BIGINT NOT NULL,
  creator_token_description TEXT,
  created                   TIMESTAMPTZ NOT NULL
);
