package io.granary.postgres;

import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackendContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

class PostgresTableBackendTest extends TableBackendContract {

    private PostgresDatabase database;

    @Override
    protected TableBackend openBackend(Path dir) {
        database = new PostgresDatabase(TestPostgres.newDatabase());
        return new PostgresTableBackend(database, 256 * 1024);
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }
}
