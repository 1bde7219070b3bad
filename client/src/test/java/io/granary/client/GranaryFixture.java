package io.granary.client;

import io.granary.server.GranaryServer;
import io.granary.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** One real Granary server (API + embedded S3 + DuckDB) on free ports in a fresh directory. */
final class GranaryFixture implements AutoCloseable {

    static final String TOKEN = "1-1-client-test-master-token";

    final Path dir;
    final GranaryServer server;

    GranaryFixture() throws IOException {
        dir = Files.createTempDirectory("granary-client-test");
        server = GranaryServer.start(ServerConfig.defaults(dir).withPorts(0, 0).withMasterToken(TOKEN));
    }

    StorageClient client() {
        return StorageClient.create(server.url(), TOKEN);
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
