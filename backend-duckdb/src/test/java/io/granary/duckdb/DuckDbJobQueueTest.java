package io.granary.duckdb;

import io.granary.core.port.JobQueue;
import io.granary.core.port.JobQueueContract;
import java.nio.file.Path;

class DuckDbJobQueueTest extends JobQueueContract {

    private DuckDbDatabase database;

    @Override
    protected JobQueue openQueue(Path dir) {
        database = new DuckDbDatabase(dir.resolve("catalog.duckdb"));
        return new DuckDbJobQueue(database, java.time.Clock.systemUTC(), LEASE);
    }

    @Override
    protected void closeQueue(JobQueue queue) {
        ((DuckDbJobQueue) queue).close();
        database.close();
    }
}
