package io.granary.sqlite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.JobStatus;
import io.granary.core.model.NewJob;
import io.granary.core.port.JobQueue;
import io.granary.core.util.StoredJson;
import io.granary.jdbc.JobRows;
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

/**
 * The job table of one embedded node, in the catalog's SQLite database. A claim is one statement on the single
 * writer, so two workers never take the same job; reads of jobs run on the readers.
 */
public final class SqliteJobQueue implements JobQueue {

    /** How long a claim holds without renewal when none is given. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

    private static final String CLAIM = """
            UPDATE jobs SET status = 'processing', started = ?, attempts = attempts + 1, worker_id = ?, lease_until = ?
            WHERE id = (SELECT j.id FROM jobs j WHERE j.status = 'waiting' AND NOT EXISTS (
              SELECT 1 FROM jobs o WHERE\s""" + JobRows.BLOCKS + ") ORDER BY j.id LIMIT 1) RETURNING *";

    private static final String RELEASE = JobRows.RELEASE;

    private final SqliteDatabase db;
    private final Clock clock;
    private final Duration lease;

    public SqliteJobQueue(SqliteDatabase database) {
        this(database, Clock.systemUTC(), DEFAULT_LEASE);
    }

    public SqliteJobQueue(SqliteDatabase database, Clock clock, Duration lease) {
        this.db = database;
        this.clock = clock;
        this.lease = lease;
        db.write(s -> {
            SqliteSchema.create(s);
            return null;
        });
    }

    @Override
    public Job submit(NewJob j) {
        return db.transaction(s -> {
            List<Object> args = new ArrayList<>(List.of(s.nextId(SqliteSchema.JOB), JobStatus.WAITING.wire(),
                    clock.instant()));
            args.addAll(Arrays.asList(JobRows.values(j)));
            return s.queryOne("INSERT INTO jobs (id, status, created, attempts, progress_bytes, progress_rows, "
                    + JobRows.INSERT_COLUMNS + ") VALUES (?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                    SqliteJobQueue::job, args.toArray()).orElseThrow();
        });
    }

    @Override
    public Optional<Job> claimNext(String workerId) {
        Instant now = clock.instant();
        return db.transaction(s -> s.queryOne(CLAIM, SqliteJobQueue::job, now, workerId, now.plus(lease)));
    }

    @Override
    public void renewLeases(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        Instant until = clock.instant().plus(lease);
        db.transaction(s -> {
            for (long id : ids) {
                s.update("UPDATE jobs SET lease_until = ? WHERE id = ? AND status = 'processing'", until, id);
            }
            return null;
        });
    }

    @Override
    public int recoverExpired(int maxAttempts, JobError error) {
        Instant now = clock.instant();
        return db.transaction(s -> {
            int failed = s.update("""
                    UPDATE jobs SET status = 'error', ended = ?, error_code = ?, error_message = ?, exception_id = ?
                    WHERE status = 'processing' AND lease_until < ? AND attempts >= ?""",
                    now, error.code(), error.message(), error.exceptionId(), now, maxAttempts);
            int requeued = s.update("""
                    UPDATE jobs SET status = 'waiting', started = NULL, worker_id = NULL, lease_until = NULL
                    WHERE status = 'processing' AND lease_until < ?""", now);
            return failed + requeued;
        });
    }

    @Override
    public void succeed(long id, ObjectNode results) {
        db.write(s -> s.update("UPDATE jobs SET status = 'success', ended = ?, results = ? WHERE id = ?", clock.instant(),
                StoredJson.writeObject(results), id));
    }

    @Override
    public void fail(long id, JobError error, ObjectNode results) {
        db.write(s -> s.update("""
                UPDATE jobs SET status = 'error', ended = ?, results = ?, error_code = ?, error_message = ?,
                  exception_id = ? WHERE id = ?""",
                clock.instant(), StoredJson.writeObject(results), error.code(), error.message(), error.exceptionId(), id));
    }

    @Override
    public boolean release(long id) {
        return db.write(s -> s.update(RELEASE, id)) > 0;
    }

    @Override
    public void progress(long id, long bytes, long rows) {
        db.write(s -> s.update("UPDATE jobs SET progress_bytes = ?, progress_rows = ? WHERE id = ?", bytes, rows, id));
    }

    @Override
    public Optional<Job> find(long id) {
        return db.read(s -> s.queryOne("SELECT * FROM jobs WHERE id = ?", SqliteJobQueue::job, id));
    }

    @Override
    public List<Job> list(int limit, int offset) {
        return db.read(s -> s.query("SELECT * FROM jobs ORDER BY id DESC LIMIT ? OFFSET ?", SqliteJobQueue::job, limit,
                offset));
    }

    @Override
    public int countWaiting() {
        return db.read(s -> s.queryOne("SELECT count(*) FROM jobs WHERE status = 'waiting'", rs -> rs.getInt(1))).orElse(0);
    }

    @Override
    public int recoverInterrupted(int maxAttempts, JobError error) {
        return db.transaction(s -> {
            int failed = s.update("""
                    UPDATE jobs SET status = 'error', ended = ?, error_code = ?, error_message = ?, exception_id = ?
                    WHERE status = 'processing' AND attempts >= ?""",
                    clock.instant(), error.code(), error.message(), error.exceptionId(), maxAttempts);
            int requeued = s.update("UPDATE jobs SET status = 'waiting', started = NULL, worker_id = NULL,"
                    + " lease_until = NULL WHERE status = 'processing'");
            return failed + requeued;
        });
    }

    private static Job job(ResultSet rs) throws SQLException {
        return JobRows.job(rs, Session::instant);
    }
}
