package io.granary.sqlite;

import io.granary.core.port.JobQueue;
import io.granary.core.port.JobQueueContract;
import java.nio.file.Path;
import java.time.Clock;

class SqliteJobQueueTest extends JobQueueContract {

    private SqliteDatabase database;

    @Override
    protected JobQueue openQueue(Path dir) {
        database = new SqliteDatabase(dir.resolve("catalog.sqlite"));
        return new SqliteJobQueue(database, Clock.systemUTC(), LEASE);
    }

    @Override
    protected void closeQueue(JobQueue queue) {
        database.close();
    }
}
