package io.granary.trino;

import io.granary.core.port.ExportRoom;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackendContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link TableBackendContract} against a real Trino with a real Iceberg catalog on PostgreSQL and Granary's
 * embedded S3 endpoint; each test starts on an empty catalog ({@link TrinoTestLake#wipe}).
 */
class TrinoTableBackendTest extends TableBackendContract {

    private final TrinoTestLake lake = TrinoTestLake.shared();
    private TrinoTableBackend trino;

    @Override
    protected TableBackend openBackend(Path dir) {
        lake.wipe();
        trino = lake.open(dir.resolve("tmp"));
        return trino;
    }

    /** Trino writes its export slices into the store itself, so exports go to the lake's real store. */
    @Override
    protected ExportRoom exportRoom(String keyPrefix, Path scratch) {
        return ExportRoom.inStore(lake.store, keyPrefix, scratch);
    }

    /** Transient tables left in the Hive catalog and objects left under the staging prefix. */
    @Override
    protected List<String> stagingTables() {
        List<String> left = new ArrayList<>();
        try (Connection c = TestTrino.connect()) {
            for (List<String> row : TrinoClient.rows(c, "SHOW TABLES FROM " + trino.context().lake().transientSchema())) {
                left.add(row.get(0));
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        for (ObjectStore.ObjectInfo o : lake.store.list(TrinoLake.STAGING)) {
            left.add(o.key());
        }
        return left;
    }

    @Override
    protected long recordedLoads() {
        try {
            return trino.context().books().doneLoads();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
