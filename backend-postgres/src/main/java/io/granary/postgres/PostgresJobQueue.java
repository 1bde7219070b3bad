package io.granary.postgres;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.NewJob;
import io.granary.core.port.JobQueue;
import io.granary.core.util.StoredJson;
import io.granary.jdbc.JobRows;
import io.granary.jdbc.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The job queue shared by every node on one database. Claims use {@code FOR UPDATE SKIP LOCKED}, so
 * nodes never wait on each other's claims and never take the same job. Leases are measured on the
 * database's clock, so nodes whose clocks disagree still agree on which leases ran out.
 */
public final class PostgresJobQueue implements JobQueue {

    // A job is eligible only while no job it conflicts with is processing or, older, waiting (JobRows.BLOCKS).
    // Under READ COMMITTED a concurrent claimer either sees the other claim's job still waiting (older id:
    // ineligible) or already processing (ineligible), so conflicting jobs never run at once.
    private static final String CLAIM = """
            WITH next AS (
              SELECT j.id FROM jobs j
              WHERE j.status = 'waiting' AND NOT EXISTS (SELECT 1 FROM jobs o WHERE %s)
              ORDER BY j.id LIMIT 1
              FOR UPDATE SKIP LOCKED)
            UPDATE jobs SET status = 'processing', started = ?, attempts = attempts + 1, worker_id = ?,
              lease_until = clock_timestamp() + ? * interval '1 millisecond'
            FROM next WHERE jobs.id = next.id
            RETURNING jobs.*""".formatted(JobRows.BLOCKS);

    private final PostgresDatabase database;
    private final Clock clock;
    private final Duration lease;

    public PostgresJobQueue(PostgresDatabase database, Clock clock, Duration lease) {
        this.database = database;
        this.clock = clock;
        this.lease = lease;
    }

    @Override
    public Job submit(NewJob j) {
        List<Object> args = new ArrayList<>();
        args.add(clock.instant());
        args.addAll(Arrays.asList(JobRows.values(j)));
        try (Connection c = database.connect();
                PreparedStatement ps = prepare(c, "INSERT INTO jobs (status, created, " + JobRows.INSERT_COLUMNS + ")"
                        + " VALUES ('waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *", args.toArray());
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            Job submitted = job(rs);
            // after the insert has committed, so a node woken by it finds the job
            PgJobWatch.notifySubmitted(c);
            return submitted;
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    @Override
    public AutoCloseable watchSubmissions(Runnable onSubmitted) {
        return PgJobWatch.start(database, onSubmitted);
    }

    @Override
    public Optional<Job> claimNext(String workerId) {
        return queryOne(CLAIM, clock.instant(), workerId, lease.toMillis());
    }

    @Override
    public void renewLeases(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection c = database.connect();
                PreparedStatement ps = c.prepareStatement("""
                        UPDATE jobs SET lease_until = clock_timestamp() + ? * interval '1 millisecond'
                        WHERE id = ANY (?) AND status = 'processing'""")) {
            ps.setLong(1, lease.toMillis());
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    @Override
    public void succeed(long id, ObjectNode results) {
        update("UPDATE jobs SET status = 'success', ended = ?, results = ?, lease_until = NULL WHERE id = ?",
                clock.instant(), StoredJson.writeObject(results), id);
    }

    @Override
    public void fail(long id, JobError error, ObjectNode results) {
        update("""
                UPDATE jobs SET status = 'error', ended = ?, results = ?, error_code = ?, error_message = ?,
                  exception_id = ?, lease_until = NULL WHERE id = ?""",
                clock.instant(), StoredJson.writeObject(results), error.code(), error.message(), error.exceptionId(), id);
    }

    @Override
    public boolean release(long id) {
        try (Connection c = database.connect()) {
            boolean released = update(c, JobRows.RELEASE, id) > 0;
            if (released) {
                // other nodes' idle workers take it at once rather than at their next poll
                PgJobWatch.notifySubmitted(c);
            }
            return released;
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    @Override
    public void progress(long id, long bytes, long rows) {
        update("UPDATE jobs SET progress_bytes = ?, progress_rows = ? WHERE id = ?", bytes, rows, id);
    }

    @Override
    public Optional<Job> find(long id) {
        return queryOne("SELECT * FROM jobs WHERE id = ?", id);
    }

    @Override
    public List<Job> list(int limit, int offset) {
        return query("SELECT * FROM jobs ORDER BY id DESC LIMIT ? OFFSET ?", limit, offset);
    }

    @Override
    public int countWaiting() {
        try (Connection c = database.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM jobs WHERE status = 'waiting'"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    @Override
    public int recoverInterrupted(int maxAttempts, JobError error) {
        return recover("", maxAttempts, error);
    }

    @Override
    public int recoverExpired(int maxAttempts, JobError error) {
        return recover(" AND lease_until < clock_timestamp()", maxAttempts, error);
    }

    private int recover(String condition, int maxAttempts, JobError error) {
        try (Connection c = database.connect()) {
            return Transactions.run(c, conn -> {
                int failed = update(conn, """
                        UPDATE jobs SET status = 'error', ended = ?, error_code = ?, error_message = ?, exception_id = ?,
                          lease_until = NULL
                        WHERE status = 'processing' AND attempts >= ?""" + condition,
                        clock.instant(), error.code(), error.message(), error.exceptionId(), maxAttempts);
                int requeued = update(conn, """
                        UPDATE jobs SET status = 'waiting', started = NULL, worker_id = NULL, lease_until = NULL
                        WHERE status = 'processing'""" + condition);
                return failed + requeued;
            });
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    @Override
    public String toString() {
        return "PostgresJobQueue[lease=" + lease + "]";
    }

    // ---- plumbing

    private void update(String sql, Object... args) {
        try (Connection c = database.connect()) {
            update(c, sql, args);
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    private Optional<Job> queryOne(String sql, Object... args) {
        List<Job> jobs = query(sql, args);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    private List<Job> query(String sql, Object... args) {
        try (Connection c = database.connect(); PreparedStatement ps = prepare(c, sql, args);
                ResultSet rs = ps.executeQuery()) {
            List<Job> out = new ArrayList<>();
            while (rs.next()) {
                out.add(job(rs));
            }
            return out;
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Instant t) {
                ps.setTimestamp(i + 1, Timestamp.from(t));
            } else {
                ps.setObject(i + 1, a);
            }
        }
        return ps;
    }

    private static Job job(ResultSet rs) throws SQLException {
        return JobRows.job(rs, PostgresJobQueue::instant);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static GranaryException internal(SQLException e) {
        return new GranaryException(ErrorCode.INTERNAL, "Job queue error: " + e.getMessage(), e);
    }
}
