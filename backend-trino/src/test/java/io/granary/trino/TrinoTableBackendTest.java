package io.granary.trino;

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

    // Granary parses the files itself (core's CsvRecords), with the texts of the PostgreSQL backend's checks

    @Override
    protected boolean namesPhysicalLines() {
        return true;
    }

    @Override
    protected String strayEnclosureMessage() {
        return "Invalid CSV file. Line 2: a quoted value is followed by other characters before the delimiter"
                + " (stray enclosure character).";
    }

    @Override
    protected String mixedLineEndsMessage() {
        return "Invalid CSV file (file 2 of 2). Line 2: a line end differs from the first line's (mixed CRLF/LF line ends).";
    }

    @Override
    protected String nulMessage() {
        return "Invalid CSV file (file 2 of 2). Line 2: a NUL character (byte 0x00), which a value cannot hold.";
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
