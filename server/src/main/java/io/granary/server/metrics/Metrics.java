package io.granary.server.metrics;

import io.granary.core.job.JobObserver;
import io.granary.core.job.JobOperations;
import io.granary.core.job.JobService;
import io.granary.core.model.Job;
import io.granary.core.port.JobQueue;
import io.granary.core.port.TableBackend;
import io.granary.objectstore.S3RequestListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The node's meters in one Prometheus registry (Micrometer). Labels are low-cardinality by construction: route
 * templates (never a path with an id), operation names and status codes, so no table, bucket, file or token ever
 * appears in a scrape.
 */
public final class Metrics implements AutoCloseable {

    /** Bucket bounds of request latencies: a handful, so a scrape stays small. */
    private static final Duration[] REQUEST_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
            60);
    private static final Duration[] JOB_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public Metrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** One answered API request; {@code route} is the matched route's template ({@code unmatched} for none). */
    public void httpRequest(String method, String route, int status, long nanos) {
        Timer.builder("granary.http.requests").description("Storage API requests by route template and status")
                .tag("method", method).tag("route", route).tag("status", String.valueOf(status))
                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Jobs run here by operation and outcome, with the rows and bytes imported and exported. */
    public JobObserver jobObserver() {
        return new JobObserver() {
            @Override
            public void started(Job job) {
                // running jobs are read from the service when scraped
            }

            @Override
            public void finished(Job job, Outcome outcome, long nanos, long bytes, long rows) {
                Timer.builder("granary.jobs").description("Jobs run on this node by operation and outcome")
                        .tag("operation", job.operationName()).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .serviceLevelObjectives(JOB_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
                String direction = direction(job.operationName());
                if (outcome == Outcome.SUCCESS && direction != null) {
                    Counter.builder("granary.table.rows").description("Rows loaded into and exported from tables")
                            .tag("direction", direction).register(registry).increment(rows);
                    Counter.builder("granary.table.bytes").description("Bytes of CSV loaded into and exported from tables")
                            .baseUnit("bytes").tag("direction", direction).register(registry).increment(bytes);
                }
            }
        };
    }

    private static String direction(String operation) {
        if (operation.equals(JobOperations.TABLE_IMPORT.name()) || operation.equals(JobOperations.TABLE_CREATE.name())) {
            return "import";
        }
        return operation.equals(JobOperations.TABLE_EXPORT.name()) ? "export" : null;
    }

    /** Gauges of the queue (waiting jobs, all nodes) and of this node's running jobs, read when scraped. */
    public void watchJobs(JobQueue queue, JobService jobs) {
        Gauge.builder("granary.jobs.waiting", queue, JobQueue::countWaiting)
                .description("Jobs waiting in the queue to be claimed").register(registry);
        Gauge.builder("granary.jobs.running", jobs, JobService::runningCount)
                .description("Jobs this node's workers are running").register(registry);
    }

    /**
     * DuckDB's memory (when the tables are on DuckDB in this process): its limit, and what its buffer manager holds
     * and has spilled by tag. One read of {@code duckdb_memory()} serves a whole scrape.
     */
    public void watchTableMemory(TableBackend backend) {
        Optional<TableBackend.EngineMemory> first = backend.memory();
        if (first.isEmpty()) {
            return;
        }
        MemorySnapshot snapshot = new MemorySnapshot(backend, first.get());
        Gauge.builder("granary.duckdb.memory.limit", snapshot, m -> m.get().limitBytes()).baseUnit("bytes")
                .strongReference(true).description("DuckDB's memory limit (--duckdb-memory)").register(registry);
        for (String tag : first.get().usedBytes().keySet()) {
            Gauge.builder("granary.duckdb.memory.used", snapshot, m -> m.get().usedBytes().getOrDefault(tag, 0L))
                    .baseUnit("bytes").tag("tag", tag).strongReference(true)
                    .description("Memory DuckDB's buffer manager holds, by tag")
                    .register(registry);
            Gauge.builder("granary.duckdb.memory.temporary", snapshot,
                    m -> m.get().temporaryBytes().getOrDefault(tag, 0L)).baseUnit("bytes").tag("tag", tag).strongReference(true)
                    .description("What DuckDB has spilled to its temporary directory, by tag").register(registry);
        }
    }

    /** The engine's memory read at most once a second, so the gauges of one scrape agree (held strongly: gauges
     * hold their state weakly). */
    private static final class MemorySnapshot {
        private final TableBackend backend;
        private TableBackend.EngineMemory last;
        private long readAt;

        MemorySnapshot(TableBackend backend, TableBackend.EngineMemory first) {
            this.backend = backend;
            this.last = first;
            this.readAt = System.nanoTime();
        }

        synchronized TableBackend.EngineMemory get() {
            if (System.nanoTime() - readAt > 1_000_000_000L) {
                try {
                    last = backend.memory().orElse(last);
                } catch (RuntimeException e) {
                    // a closing engine keeps its last reading rather than failing the scrape
                }
                readAt = System.nanoTime();
            }
            return last;
        }
    }

    /** Requests to the embedded S3 endpoint by operation and status. */
    public S3RequestListener s3Listener() {
        return (operation, status, nanos) -> Timer.builder("granary.s3.requests")
                .description("Requests to the embedded S3 endpoint by operation and status")
                .tag("operation", operation).tag("status", String.valueOf(status))
                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Everything in the Prometheus text format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return out;
    }
}
