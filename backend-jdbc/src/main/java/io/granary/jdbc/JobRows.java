package io.granary.jdbc;

import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.JobLock;
import io.granary.core.model.JobStatus;
import io.granary.core.model.NewJob;
import io.granary.core.util.StoredJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The jobs table as every SQL job queue keeps it: one row per job, parameters, request and results as JSON
 * text, the lock as {@code lock_key}, {@code lock_group}, {@code lock_whole_group}. Queues differ only in how
 * they store times and generate ids.
 */
public final class JobRows {

    /** How a queue reads one of its time columns (null when empty). */
    @FunctionalInterface
    public interface Times {
        Instant read(ResultSet rs, String column) throws SQLException;
    }

    /** The columns an INSERT of a new job sets, in the order of {@link #values}. */
    public static final String INSERT_COLUMNS = "operation_name, operation_params, request, table_id, lock_key, "
            + "lock_group, lock_whole_group, run_id, creator_token_id, creator_token_description";

    /** Hands a processing job back ({@code JobQueue.release}); one parameter, the job id. */
    public static final String RELEASE = """
            UPDATE jobs SET status = 'waiting', started = NULL, worker_id = NULL, lease_until = NULL,
              attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, progress_bytes = 0, progress_rows = 0
            WHERE id = ? AND status = 'processing'""";

    /**
     * Whether job {@code o} keeps job {@code j} from running (the two aliases of a self-join): it is running,
     * or waiting and older, and its lock conflicts ({@link JobLock}).
     */
    public static final String BLOCKS = """
            o.status IN ('waiting', 'processing') AND (o.status = 'processing' OR o.id < j.id)
              AND (o.lock_key = j.lock_key
                OR (o.lock_group = j.lock_group AND (o.lock_whole_group OR j.lock_whole_group)))""";

    private JobRows() {
    }

    /** The values of {@link #INSERT_COLUMNS} for a new job. */
    public static Object[] values(NewJob j) {
        return new Object[] {j.operationName(), StoredJson.writeObject(j.operationParams()),
            StoredJson.writeObject(j.request()), j.tableId(), j.lock().key(), j.lock().group(), j.lock().wholeGroup(),
            j.runId(), j.creatorTokenId(), j.creatorTokenDescription()};
    }

    public static Job job(ResultSet rs, Times times) throws SQLException {
        String errorCode = rs.getString("error_code");
        JobError error = errorCode == null ? null
                : new JobError(errorCode, rs.getString("error_message"), rs.getString("exception_id"));
        JobLock lock = new JobLock(rs.getString("lock_key"), rs.getString("lock_group"),
                rs.getBoolean("lock_whole_group") && rs.getString("lock_group") != null);
        return new Job(rs.getLong("id"), JobStatus.parse(rs.getString("status")), rs.getString("operation_name"),
                StoredJson.readObject(rs.getString("operation_params")), StoredJson.readObject(rs.getString("request")),
                rs.getString("table_id"), lock, rs.getString("run_id"), rs.getLong("creator_token_id"),
                rs.getString("creator_token_description"), times.read(rs, "created"), times.read(rs, "started"),
                times.read(rs, "ended"), StoredJson.readObject(rs.getString("results")), error, rs.getInt("attempts"),
                rs.getLong("progress_bytes"), rs.getLong("progress_rows"));
    }
}
