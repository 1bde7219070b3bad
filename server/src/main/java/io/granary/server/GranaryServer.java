package io.granary.server;

import io.granary.core.job.JobService;
import io.granary.core.port.Catalog;
import io.granary.core.port.CatalogStore;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.JobQueue;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.Settings;
import io.granary.core.port.StoreContext;
import io.granary.core.port.TableBackend;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.storage.FileService;
import io.granary.core.storage.OrphanSweep;
import io.granary.core.storage.Storage;
import io.granary.core.storage.TokenService;
import io.granary.core.util.FileTrees;
import io.granary.server.console.ConsoleAssets;
import io.granary.server.console.ConsoleOrigins;
import io.granary.server.console.ConsoleRoutes;
import io.granary.server.http.ErrorHandling;
import io.granary.server.http.LegacyJobRequests;
import io.granary.server.http.RequestContext;
import io.granary.server.http.Requests;
import io.granary.server.http.UploadLimits;
import io.granary.server.http.Views;
import io.granary.server.metrics.Metrics;
import io.granary.server.metrics.MetricsRoutes;
import io.granary.server.metrics.RouteTemplate;
import io.granary.server.routes.BucketRoutes;
import io.granary.server.routes.FileRoutes;
import io.granary.server.routes.IndexRoutes;
import io.granary.server.routes.JobRoutes;
import io.granary.server.routes.TableRoutes;
import io.granary.server.routes.WorkspaceRoutes;
import io.granary.server.routes.TokenRoutes;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Granary node: the Storage API, the object store (the embedded S3 endpoint by default), the
 * catalog, job queue and tables (DuckDB under the data directory by default, or PostgreSQL) and the
 * job workers. {@link #start} returns once every part listens.
 */
public final class GranaryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GranaryServer.class);
    private static final Logger REQUESTS = LoggerFactory.getLogger("io.granary.http");
    static final long PROJECT_ID = 1;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private JobService jobs;
    private java.time.Duration shutdownGrace = java.time.Duration.ZERO;
    private Javalin app;
    private org.eclipse.jetty.server.Server jetty;
    private String url;
    private String s3Url;
    private String newMasterToken;
    private String catalogDescription;
    private String tablesDescription;

    private GranaryServer() {
    }

    public static GranaryServer start(ServerConfig config) {
        GranaryServer server = new GranaryServer();
        try {
            server.boot(config);
            return server;
        } catch (RuntimeException | IOException e) {
            server.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
    }

    private void boot(ServerConfig config) throws IOException {
        Path dataDir = config.dataDir().toAbsolutePath().normalize();
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve("tmp");
        FileTrees.delete(tmp); // leftovers of a previous run (exports, slice copies, upload caches)
        Files.createDirectories(tmp);
        Clock clock = Clock.systemUTC();
        Metrics metrics = track(new Metrics());

        StoreFactories factories = StoreFactories.installed();
        // workspace backends reached over the network name this host unless --workspace-host says otherwise
        Settings settings = config.storeSettings().with(WorkspaceBackend.PUBLIC_HOST, publicHost(config));
        StoreContext context = new StoreContext(dataDir, tmp, clock, config.workers(), config.jobLease(),
                config.duckDbMemory(), settings, null);
        CatalogStore store = track(factories.catalog(config.catalog()).open(context));
        Catalog catalog = store.catalog();
        JobQueue queue = store.queue();

        // the console's address is known before the embedded S3 endpoint starts: its CORS rule names it
        // a port chosen here is held until the HTTP server binds it: the S3 endpoint, connections to PostgreSQL or
        // Trino opened meanwhile would otherwise be free to take it (seen in CI as "Port already in use")
        FreePort.Reservation reserved = config.port() == 0 ? track(FreePort.reserve()) : null;
        int port = reserved != null ? reserved.port() : config.port();
        url = config.publicUrl() != null ? config.publicUrl().replaceAll("/+$", "") : "http://localhost:" + port;
        ObjectStorage objectStorage = track(config.s3() == null
                ? ObjectStorage.embedded(config, dataDir, catalog, ConsoleOrigins.of(url), metrics.s3Listener())
                : ObjectStorage.external(config, catalog));
        ObjectStore objects = objectStorage.store();
        CredentialIssuer issuer = objectStorage.issuer();
        s3Url = objectStorage.publicEndpoint();
        TableBackend backend = track(factories.backend(config.backend()).open(context.withObjects(objects)));
        WorkspaceBackend workspaces = factories.backend(config.backend()).openWorkspaces(context.withObjects(objects),
                backend);
        if (workspaces != null) {
            track(workspaces);
        }
        catalogDescription = factories.catalog(config.catalog()).describe(context);
        tablesDescription = factories.backend(config.backend()).describe(context);

        Views views = new Views(url, objects.bucket(), objects.region(), PROJECT_ID, config.backend());

        JobService jobs = track(new JobService(queue, store.shared(), config.jobLease(), config.nodeName()));
        this.jobs = jobs;
        this.shutdownGrace = config.shutdownGrace();
        Storage storage = new Storage(new Storage.Ports(catalog, backend, config.backend(), objects, issuer, jobs, clock,
                tmp, PROJECT_ID, workspaces), (table, bucket) -> views.table(table, bucket, true), views::workspace);
        jobs.readLegacyRequestsWith(new LegacyJobRequests());
        TokenService tokens = storage.tokens();
        FileService files = storage.files();
        newMasterToken = tokens.ensureMasterToken(config.masterToken()).orElse(null);
        if (newMasterToken != null) {
            SecretFile.write(dataDir.resolve("master-token"), newMasterToken + "\n");
        }
        jobs.observeWith(metrics.jobObserver());
        metrics.watchJobs(queue, jobs);
        metrics.watchTableMemory(backend);
        jobs.start(config.workers());

        ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "granary-janitor");
            t.setDaemon(true);
            return t;
        });
        closeables.add(janitor::shutdownNow);
        OrphanSweep orphans = new OrphanSweep(catalog, objects, clock, PROJECT_ID);
        janitor.scheduleWithFixedDelay(() -> {
            try {
                int removed = files.purgeExpired();
                if (removed > 0) {
                    LOG.info("removed {} expired file(s)", removed);
                }
                orphans.sweep();
            } catch (RuntimeException e) {
                LOG.warn("cleanup of expired files and orphaned objects failed; will retry", e);
            }
        }, 1, 10, TimeUnit.MINUTES);

        Map<String, BooleanSupplier> readiness = new LinkedHashMap<>();
        readiness.put("catalog", () -> catalog.findBucket("-").isEmpty());
        readiness.put("objectStore", objects::isHealthy);
        readiness.put("jobQueue", () -> queue.list(1, 0) != null);

        Requests requests = new Requests(tokens);
        ConsoleRoutes console = new ConsoleRoutes(ConsoleAssets.load(), ConsoleOrigins.sourcesOf(s3Url, config.s3() != null));
        app = Javalin.create(c -> {
            c.router.ignoreTrailingSlashes = true;
            c.router.treatMultipleSlashesAsSingleSlash = true;
            c.http.maxRequestSize = Requests.MAX_BODY_BYTES;
            c.jetty.multipartConfig.cacheDirectory(tmp.toString());
            c.jetty.multipartConfig.maxInMemoryFileSize(UploadLimits.MAX_FIELD_BYTES, SizeUnit.BYTES);
            // a part over the limit stops the upload as it streams in: 413, nothing stored (UploadLimits)
            c.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), SizeUnit.BYTES);
            c.jetty.multipartConfig.maxTotalRequestSize(-1, SizeUnit.BYTES);
            c.startup.showJavalinBanner = false;
            // on stop, requests in flight are answered (new ones get 503) for what is left of the shutdown grace
            c.jetty.modifyServer(server -> {
                server.insertHandler(new GracefulHandler());
                jetty = server;
            });
            // one line per request; never the token header
            c.requestLogger.http((ctx, ms) -> {
                REQUESTS.info("{} {} {} {}ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(ms));
                RequestContext.end();
                metrics.httpRequest(ctx.method().name(), RouteTemplate.of(ctx), ctx.statusCode(), Math.round(ms * 1e6));
            });
            c.routes.before(RequestContext::begin);
            ErrorHandling.register(c.routes, new UploadLimits(config.maxUploadBytes()));
            new IndexRoutes(views, url, s3Url, readiness).register(c.routes);
            new TokenRoutes(tokens, catalog, requests, views).register(c.routes);
            new BucketRoutes(storage.buckets(), jobs, requests, views).register(c.routes);
            new FileRoutes(files, requests, views).register(c.routes);
            new JobRoutes(jobs, requests, views).register(c.routes);
            new TableRoutes(storage.tables(), files, catalog, jobs, requests, views, clock).register(c.routes);
            new WorkspaceRoutes(storage.workspaces(), storage.workspaceLoads(), jobs, requests, views).register(c.routes);
            console.register(c.routes);
            new MetricsRoutes(metrics, config.metricsToken()).register(c.routes);
        });
        if (reserved != null) {
            reserved.close();
        }
        app.start(config.host(), port);
        closeables.add(() -> app.stop());
        LOG.info("Granary Storage API on {} (S3 endpoint {}, console {}/)", url, s3Url, url);
    }

    /** The host of {@code --public-url} (what clients on other machines reach this node by); localhost without one. */
    static String publicHost(ServerConfig config) {
        if (config.publicUrl() == null || config.publicUrl().isBlank()) {
            return "localhost";
        }
        try {
            String host = java.net.URI.create(config.publicUrl().strip()).getHost();
            return host == null || host.isBlank() ? "localhost" : host;
        } catch (IllegalArgumentException e) {
            return "localhost";
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    public int port() {
        return app.port();
    }

    public String url() {
        return url;
    }

    /** Every HTTP route this node serves, as "METHOD /path/{param}" (the OpenAPI document must list each). */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(e -> e.endpoint.method.isHttpMethod())
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path)
                .toList();
    }

    public String s3Url() {
        return s3Url;
    }

    /** What the catalog and job queue are on, in one line. */
    public String catalogDescription() {
        return catalogDescription;
    }

    /** What the tables are on, in one line. */
    public String tablesDescription() {
        return tablesDescription;
    }

    /** The master token's secret when this start created it; empty otherwise. */
    public Optional<String> newMasterToken() {
        return Optional.ofNullable(newMasterToken);
    }

    /**
     * Stops the node: first it takes no new jobs (503) while running ones get the shutdown grace to finish, and
     * the rest are handed back to the queue ({@link JobService#drain}); the API keeps answering (job polls) until
     * then. Then the HTTP server stops: it takes no new connections, answers new requests on open ones with 503,
     * and lets requests in flight finish within what is left of the grace. Then everything else stops.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        if (jobs != null) {
            int handedBack = jobs.drain(shutdownGrace);
            if (handedBack > 0) {
                LOG.warn("{} job(s) handed back to the queue; they run again after the restart", handedBack);
            }
        }
        if (jetty != null) {
            // what the job drain left of the grace; Jetty waits that long for requests in flight
            jetty.setStopTimeout(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
        }
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        closeables.clear();
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while stopping: {}", e.toString());
            }
        }
    }
}
