package io.granary.duckdb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.JobStatus;
import io.granary.core.model.NewJob;
import io.granary.core.port.JobQueue;
import io.granary.core.util.StoredJson;
import io.granary.jdbc.JobRows;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The previous format of the embedded job queue, in the catalog's DuckDB file (see {@link DuckDbCatalog}). */
public final class DuckDbJobQueue implements JobQueue, AutoCloseable {

    /** How long a claim holds without renewal when none is given. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

    private final Connection c;
    private final Clock clock;
    private final Duration lease;

    public DuckDbJobQueue(DuckDbDatabase database) {
        this(database, Clock.systemUTC(), DEFAULT_LEASE);
    }

    public DuckDbJobQueue(DuckDbDatabase database, Clock clock, Duration lease) {
        this.c = database.connect();
        this.clock = clock;
        this.lease = lease;
        Sql.execute(c,
                "CREATE SEQUENCE IF NOT EXISTS job_id_seq START 1",
                """
                CREATE TABLE IF NOT EXISTS jobs (
                  id BIGINT PRIMARY KEY, status VARCHAR NOT NULL, operation_name VARCHAR NOT NULL,
                  operation_params VARCHAR NOT NULL, table_id VARCHAR, lock_key VARCHAR, run_id VARCHAR,
                  creator_token_id BIGINT NOT NULL, creator_token_description VARCHAR,
                  created BIGINT NOT NULL, started BIGINT, ended BIGINT, results VARCHAR,
                  error_code VARCHAR, error_message VARCHAR, exception_id VARCHAR,
                  attempts INTEGER NOT NULL, progress_bytes BIGINT NOT NULL, progress_rows BIGINT NOT NULL,
                  worker_id VARCHAR)""",
                // added after the first release: catalogs created before get the columns here
                "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS lease_until BIGINT",
                "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS request VARCHAR",
                "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS lock_group VARCHAR",
                "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS lock_whole_group BOOLEAN DEFAULT false");
    }

    @Override
    public synchronized Job submit(NewJob j) {
        long id = Sql.nextval(c, "job_id_seq");
        List<Object> args = new ArrayList<>(List.of(id, JobStatus.WAITING.wire(), clock.instant()));
        args.addAll(Arrays.asList(JobRows.values(j)));
        Sql.update(c, "INSERT INTO jobs (id, status, created, attempts, progress_bytes, progress_rows, "
                + JobRows.INSERT_COLUMNS + ") VALUES (?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", args.toArray());
        return find(id).orElseThrow();
    }

    @Override
    public synchronized Optional<Job> claimNext(String workerId) {
        Optional<Long> next = Sql.queryOne(c, "SELECT j.id FROM jobs j WHERE j.status = 'waiting' AND NOT EXISTS ("
                + "SELECT 1 FROM jobs o WHERE " + JobRows.BLOCKS + ") ORDER BY j.id LIMIT 1", rs -> rs.getLong(1));
        if (next.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Sql.update(c, """
                UPDATE jobs SET status = 'processing', started = ?, attempts = attempts + 1, worker_id = ?, lease_until = ?
                WHERE id = ?""", now, workerId, now.plus(lease), next.get());
        return find(next.get());
    }

    @Override
    public synchronized void renewLeases(Collection<Long> ids) {
        Instant until = clock.instant().plus(lease);
        for (long id : ids) {
            Sql.update(c, "UPDATE jobs SET lease_until = ? WHERE id = ? AND status = 'processing'", until, id);
        }
    }

    @Override
    public synchronized int recoverExpired(int maxAttempts, JobError error) {
        Instant now = clock.instant();
        return Sql.inTransaction(c, () -> {
            int failed = Sql.update(c, """
                    UPDATE jobs SET status = 'error', ended = ?, error_code = ?, error_message = ?, exception_id = ?
                    WHERE status = 'processing' AND lease_until < ? AND attempts >= ?""",
                    now, error.code(), error.message(), error.exceptionId(), now, maxAttempts);
            int requeued = Sql.update(c, """
                    UPDATE jobs SET status = 'waiting', started = NULL, worker_id = NULL, lease_until = NULL
                    WHERE status = 'processing' AND lease_until < ?""", now);
            return failed + requeued;
        });
    }

    @Override
    public synchronized void succeed(long id, ObjectNode results) {
        Sql.update(c, "UPDATE jobs SET status = 'success', ended = ?, results = ? WHERE id = ?",
                clock.instant(), StoredJson.writeObject(results), id);
    }

    @Override
    public synchronized void fail(long id, JobError error, ObjectNode results) {
        Sql.update(c, """
                UPDATE jobs SET status = 'error', ended = ?, results = ?, error_code = ?, error_message = ?,
                  exception_id = ? WHERE id = ?""",
                clock.instant(), StoredJson.writeObject(results), error.code(), error.message(), error.exceptionId(), id);
    }

    @Override
    public synchronized boolean release(long id) {
        return Sql.update(c, JobRows.RELEASE, id) > 0;
    }

    @Override
    public synchronized void progress(long id, long bytes, long rows) {
        Sql.update(c, "UPDATE jobs SET progress_bytes = ?, progress_rows = ? WHERE id = ?", bytes, rows, id);
    }

    @Override
    public synchronized Optional<Job> find(long id) {
        return Sql.queryOne(c, "SELECT * FROM jobs WHERE id = ?", DuckDbJobQueue::job, id);
    }

    @Override
    public synchronized List<Job> list(int limit, int offset) {
        return Sql.query(c, "SELECT * FROM jobs ORDER BY id DESC LIMIT ? OFFSET ?", DuckDbJobQueue::job, limit, offset);
    }

    @Override
    public synchronized int countWaiting() {
        return Sql.queryOne(c, "SELECT count(*) FROM jobs WHERE status = 'waiting'", rs -> rs.getInt(1)).orElse(0);
    }

    @Override
    public synchronized int recoverInterrupted(int maxAttempts, JobError error) {
        return Sql.inTransaction(c, () -> {
            int failed = Sql.update(c, """
                    UPDATE jobs SET status = 'error', ended = ?, error_code = ?, error_message = ?, exception_id = ?
                    WHERE status = 'processing' AND attempts >= ?""",
                    clock.instant(), error.code(), error.message(), error.exceptionId(), maxAttempts);
            int requeued = Sql.update(c,
                    "UPDATE jobs SET status = 'waiting', started = NULL, worker_id = NULL, lease_until = NULL WHERE status = 'processing'");
            return failed + requeued;
        });
    }

    @Override
    public synchronized void close() {
        try {
            c.close();
        } catch (SQLException ignored) {
            // best effort at shutdown
        }
    }

    private static Job job(ResultSet rs) throws SQLException {
        return JobRows.job(rs, Sql::instant);
    }
}
