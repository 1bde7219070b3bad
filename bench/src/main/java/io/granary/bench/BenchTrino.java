package io.granary.bench;

import io.granary.core.util.FileTrees;
import io.granary.server.FreePort;
import io.granary.trino.LocalTrino;
import io.granary.trino.TrinoDistribution;
import io.granary.trino.TrinoJava;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one local single-node Trino of a bench run ({@code io.trino:trino-server} through Maven, on the Java 24+
 * that {@code granary trino} would find, or {@code GRANARY_TRINO_JAVA}), started by the first Trino scenario
 * and stopped when the run ends. Its 2 GiB heap is what {@code granary trino} gives it by default. Granary's
 * servers and the raw baseline each create their own catalogs on it.
 */
final class BenchTrino implements AutoCloseable {

    static final int HEAP_MB = 2048;

    private final LocalTrino trino;
    private final Path dataDir;
    private final AtomicInteger catalogs = new AtomicInteger();

    private BenchTrino(LocalTrino trino, Path dataDir) {
        this.trino = trino;
        this.dataDir = dataDir;
    }

    static BenchTrino start(Path dataDir) throws IOException {
        TrinoJava.Found java = TrinoJava.find(null, System.getenv());
        Path home = TrinoDistribution.home(null, System.getenv(), line -> Log.info("trino: %s", line));
        FileTrees.delete(dataDir);
        LocalTrino trino = LocalTrino.start(new LocalTrino.Settings(home, java, dataDir, "127.0.0.1", FreePort.find(),
                HEAP_MB), Duration.ofMinutes(3));
        Log.info("started Trino %s on %s in %.1f s (Java %d, pid %d, heap %d MB)", TrinoDistribution.version(),
                trino.url(), trino.startSeconds(), java.version(), trino.pid(), HEAP_MB);
        return new BenchTrino(trino, dataDir);
    }

    URI url() {
        return trino.url();
    }

    /** A catalog name not used before in this run. */
    String newCatalogName(String base) {
        return base + "_" + catalogs.incrementAndGet();
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", LocalTrino.GRANARY_USER);
        return DriverManager.getConnection(trino.jdbcUrl(), p);
    }

    long pid() {
        return trino.pid();
    }

    @Override
    public void close() throws IOException {
        trino.stop();
        FileTrees.delete(dataDir);
    }
}
