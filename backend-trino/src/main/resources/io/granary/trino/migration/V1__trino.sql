-- What the Trino backend keeps in Granary's PostgreSQL besides Iceberg's own JDBC catalog tables.

-- The configuration each Trino catalog Granary created was created with (a digest: the statement holds secrets),
-- so a node whose configuration changed replaces it and nodes that agree leave it alone.
CREATE TABLE trino_catalogs (
    name        TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL
);

-- Loads by load id (a job's id): 'running' is written before the load statement starts, with the source its
-- Trino queries carry and, as soon as Trino names it, the query id; 'done' once it committed. A retry finds a
-- done load and applies nothing, or a running one and looks in the table's snapshots for its commit.
CREATE TABLE trino_loads (
    table_id      TEXT NOT NULL,
    load_id       TEXT NOT NULL,
    state         TEXT NOT NULL,
    source        TEXT NOT NULL,
    query_id      TEXT,
    loaded_rows   BIGINT NOT NULL,
    added_columns TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (table_id, load_id)
);

-- Iceberg's JDBC catalog (Trino's iceberg.catalog.type=jdbc), which Trino does not create itself.
CREATE TABLE IF NOT EXISTS iceberg_tables (
    catalog_name               VARCHAR(255) NOT NULL,
    table_namespace            VARCHAR(255) NOT NULL,
    table_name                 VARCHAR(255) NOT NULL,
    metadata_location          VARCHAR(1000),
    previous_metadata_location VARCHAR(1000),
    iceberg_type               VARCHAR(5),
    PRIMARY KEY (catalog_name, table_namespace, table_name)
);

CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
    catalog_name   VARCHAR(255) NOT NULL,
    namespace      VARCHAR(255) NOT NULL,
    property_key   VARCHAR(255) NOT NULL,
    property_value VARCHAR(1000),
    PRIMARY KEY (catalog_name, namespace, property_key)
);

-- When a node last ran a maintenance pass over a catalog's tables, so that several nodes share one schedule.
CREATE TABLE trino_maintenance (
    catalog  TEXT PRIMARY KEY,
    last_run TIMESTAMPTZ NOT NULL
);
