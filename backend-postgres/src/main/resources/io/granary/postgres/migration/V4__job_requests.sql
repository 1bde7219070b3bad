-- A job stores the typed request its use case resolved at submission (absolute times, checked operators,
-- defaults), which is what a worker runs; operation_params keep what the client sent, which the job shows.
-- Jobs stored before this have no request: a node reads their parameters as they were (LegacyRequests).
ALTER TABLE jobs ADD COLUMN request TEXT;

-- A job may hold a whole lock group (deleting a bucket holds the bucket and all its tables): it waits for
-- every earlier job of the group, and later jobs of the group wait for it. Older nodes ignore the group.
ALTER TABLE jobs ADD COLUMN lock_group TEXT;
ALTER TABLE jobs ADD COLUMN lock_whole_group BOOLEAN NOT NULL DEFAULT false;

CREATE INDEX jobs_active_lock_group ON jobs (lock_group, id) WHERE status IN ('waiting', 'processing');
