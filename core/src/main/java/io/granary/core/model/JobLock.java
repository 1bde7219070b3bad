package io.granary.core.model;

/**
 * How a job is ordered against other jobs. Jobs with the same {@code key} run one at a time, in
 * submission order. A job may also belong to a {@code group} (the bucket of its table): a job that holds
 * its {@code wholeGroup} runs only once every earlier job of the group has ended, and every later job of
 * the group waits for it, so deleting a bucket with its tables never interleaves with a change of one of
 * them. Jobs of one group that do not hold it run at the same time when their keys differ.
 */
public record JobLock(String key, String group, boolean wholeGroup) {

    /** Runs whenever a worker is free. */
    public static final JobLock NONE = new JobLock(null, null, false);

    public JobLock {
        if (wholeGroup && group == null) {
            throw new IllegalArgumentException("a lock on a whole group needs the group");
        }
    }

    /** One job at a time per table (the key is the table id, as jobs stored by older versions have it). */
    public static JobLock table(TableRef table) {
        return new JobLock(table.tableId(), table.bucketId(), false);
    }

    /** A bucket and every table in it. */
    public static JobLock bucket(String bucketId) {
        return new JobLock("bucket:" + bucketId, bucketId, true);
    }

    public static JobLock file(long fileId) {
        return new JobLock("file:" + fileId, null, false);
    }

    /** One job at a time per workspace: its loads, and its deletion, never interleave. */
    public static JobLock workspace(long workspaceId) {
        return new JobLock("workspace:" + workspaceId, null, false);
    }
}
