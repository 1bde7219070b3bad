package io.granary.client;

import io.granary.core.job.JobService;
import io.granary.core.storage.FileService;
import io.granary.core.storage.TokenService;
import io.granary.duckdb.DuckDbCatalog;
import io.granary.duckdb.DuckDbDatabase;
import io.granary.duckdb.DuckDbJobQueue;
import io.granary.objectstore.EmbeddedS3;
import io.granary.objectstore.ExternalObjectStorage;
import io.granary.objectstore.ExternalS3Config;
import io.granary.server.http.ErrorHandling;
import io.granary.server.http.Requests;
import io.granary.server.http.Views;
import io.granary.server.routes.FileRoutes;
import io.granary.server.routes.IndexRoutes;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Granary's file API (the real routes, services and rendering) over an external S3 store in {@code presigned}
 * mode: the store is a real S3 endpoint (S3Proxy, started here) that Granary reaches only as an external store
 * and for which it mints no credentials. GranaryServer itself wires the embedded store only.
 */
final class PresignedGranary implements AutoCloseable {

    static final String TOKEN = "1-1-presigned-test-master-token";
    private static final String ACCESS_KEY = "store-admin";
    private static final String SECRET = "store-admin-secret-0123456789abcdef";

    final Path dir;
    final FileService files;
    final String url;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    PresignedGranary() throws IOException {
        dir = Files.createTempDirectory("granary-presigned-test");
        try {
            DuckDbDatabase database = track(new DuckDbDatabase(dir.resolve("catalog.duckdb")));
            DuckDbCatalog catalog = track(new DuckDbCatalog(database));
            DuckDbJobQueue queue = track(new DuckDbJobQueue(database));
            // the "external" store: an S3 endpoint of its own (with a catalog of its own, as a foreign store has)
            DuckDbCatalog storeCatalog = track(new DuckDbCatalog(dir.resolve("store-catalog.duckdb")));
            EmbeddedS3 s3 = track(EmbeddedS3.start(new EmbeddedS3.Config(dir.resolve("store"), "granary-files",
                    "127.0.0.1", 0, null, ACCESS_KEY, SECRET), storeCatalog));
            ExternalObjectStorage storage = track(ExternalObjectStorage.connect(new ExternalS3Config(s3.endpoint(), null,
                    "granary-files", ACCESS_KEY, SECRET, true, ExternalS3Config.CredentialsMode.PRESIGNED, null, null)));

            Clock clock = Clock.systemUTC();
            TokenService tokens = new TokenService(catalog, clock, 1);
            tokens.ensureMasterToken(TOKEN);
            JobService jobs = track(new JobService(queue));
            files = new FileService(catalog, storage.objectStore(), storage.credentialIssuer(), jobs, clock, 1);
            files.registerWith(jobs);
            jobs.start(1);
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            url = "http://127.0.0.1:" + port;
            Views views = new Views(url, storage.objectStore().bucket(), storage.objectStore().region(), 1, "duckdb");
            Requests requests = new Requests(tokens);
            Map<String, BooleanSupplier> readiness = Map.of("objectStore", storage.objectStore()::isHealthy);
            Javalin app = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                ErrorHandling.register(c.routes);
                new IndexRoutes(views, url, storage.objectStore().endpoint().toString(), readiness).register(c.routes);
                new FileRoutes(files, requests, views).register(c.routes);
            });
            app.start("127.0.0.1", port);
            closeables.add(app::stop);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    StorageClient client() {
        return StorageClient.create(url, TOKEN);
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    @Override
    public void close() throws IOException {
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort in tests
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
