package io.granary.core.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.JobLock;
import io.granary.core.model.JobStatus;
import io.granary.core.model.NewJob;
import io.granary.core.model.Permission;
import io.granary.core.model.TableRef;
import io.granary.core.model.Token;
import io.granary.core.port.JobQueue;
import io.granary.core.util.Secrets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Submits jobs and runs them on a pool of workers that claim from the {@link JobQueue}. An idle worker wakes at
 * once on a local submission and on a submission the queue reports from another node
 * ({@link JobQueue#watchSubmissions}); it also polls, so a missed report only delays a job by one poll.
 * While a job runs, its lease is renewed; any node puts back jobs whose lease ran out (a dead node's).
 * <p>
 * {@link #drain} stops a node on purpose: no new submissions (503), no new claims, running jobs get a grace
 * period to finish, and the rest are interrupted and handed back to the queue ({@link JobQueue#release}) so they
 * run again after the restart or on another node. An interrupted load rolls back, and a load that committed just
 * before the hand-back is not applied twice (handlers are idempotent per job, see {@link JobHandler}).
 */
public final class JobService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often an idle worker looks at the queue when nothing woke it. */
    public static final Duration IDLE_POLL = Duration.ofMillis(500);
    /** Progress is shown only while a job runs, so a write per report would mostly write for nobody. */
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final int MAX_ATTEMPTS = 2;
    /** How long jobs interrupted after the grace get to unwind (roll back) before they are handed back anyway. */
    static final Duration UNWIND = Duration.ofSeconds(10);
    /** What {@link #close} gives running jobs when no {@link #drain} came first. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final JobQueue queue;
    private final boolean shared;
    private final Duration lease;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Registered<?>> handlers = new ConcurrentHashMap<>();
    private final Map<Long, CountDownLatch> finished = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    /** Counts wake-ups (guarded by {@code signal}): a worker that saw it change since its claim does not sleep. */
    private long wakeups;
    private final Duration idlePoll;
    private AutoCloseable watch;
    private final AtomicBoolean started = new AtomicBoolean();
    private final String nodeId;
    private ExecutorService workers;
    private ScheduledExecutorService leases;
    private volatile LegacyRequests legacy;
    /** Set by {@link #drain}: no submissions, no claims. */
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Set once the grace has run out: what fails now is handed back, not failed. */
    private volatile boolean interrupting;
    private volatile long drainDeadline;
    /** Jobs handed back while their handler may still run: what it ends with is not recorded. */
    private final Set<Long> handedBack = ConcurrentHashMap.newKeySet();
    private volatile JobObserver observer = JobObserver.NONE;

    /** A handler with the operation whose requests it takes. */
    private record Registered<R>(JobOperation<R> operation, JobHandler<R> handler) {
        ObjectNode run(Object request, Job job, JobProgress progress) throws Exception {
            return handler.run(operation.requestType().cast(request), job, progress);
        }
    }

    /** A service for a queue only this process uses (the embedded node). */
    public JobService(JobQueue queue) {
        this(queue, false, Duration.ofSeconds(60));
    }

    /**
     * @param shared whether other processes run jobs from this queue too: then start-up leaves their
     *               {@code processing} jobs alone, and only expired leases are recovered
     * @param lease  the queue's lease length; leases are renewed three times per lease
     */
    public JobService(JobQueue queue, boolean shared, Duration lease) {
        this(queue, shared, lease, null);
    }

    /** @param nodeName names this node in the queue's worker ids (null = a random name) */
    public JobService(JobQueue queue, boolean shared, Duration lease, String nodeName) {
        this(queue, shared, lease, nodeName, IDLE_POLL);
    }

    /** @param idlePoll how often an idle worker looks at the queue when nothing woke it */
    public JobService(JobQueue queue, boolean shared, Duration lease, String nodeName, Duration idlePoll) {
        this.queue = queue;
        this.shared = shared;
        this.lease = lease;
        this.nodeId = nodeName == null || nodeName.isBlank() ? "node-" + Secrets.random(8) : nodeName;
        this.idlePoll = idlePoll;
    }

    /** The handler that runs every job of {@code operation}; one per operation. */
    public <R> void register(JobOperation<R> operation, JobHandler<R> handler) {
        if (handlers.putIfAbsent(operation.name(), new Registered<>(operation, handler)) != null) {
            throw new IllegalStateException("A handler for " + operation.name() + " is registered already");
        }
    }

    /** How to read the jobs an older version stored without a typed request; without it, such jobs fail. */
    public void readLegacyRequestsWith(LegacyRequests reader) {
        this.legacy = reader;
    }

    /** Who is told when this node's workers start and end a job (metrics); one at a time. */
    public void observeWith(JobObserver observer) {
        this.observer = observer == null ? JobObserver.NONE : observer;
    }

    /** How many jobs this node's workers are running now. */
    public int runningCount() {
        return running.size();
    }

    /**
     * Recovers jobs a previous run left in processing (on a shared queue: jobs whose lease ran out), starts
     * renewing leases and recovering expired ones, then starts {@code workerCount} workers.
     */
    public void start(int workerCount) {
        if (!shared) {
            String exceptionId = Secrets.exceptionId();
            int recovered = queue.recoverInterrupted(MAX_ATTEMPTS, interrupted(exceptionId));
            if (recovered > 0) {
                LOG.warn("recovered {} job(s) left in processing by a previous run (exceptionId {})", recovered, exceptionId);
            }
        }
        started.set(true);
        leases = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "granary-job-leases");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, lease.toMillis() / 3);
        leases.scheduleWithFixedDelay(this::tendLeases, shared ? 0 : period, period, TimeUnit.MILLISECONDS);
        if (workerCount <= 0) {
            LOG.info("no job workers on this node: jobs are queued for other nodes");
            return;
        }
        watch = queue.watchSubmissions(this::wakeOne);
        workers = Executors.newFixedThreadPool(workerCount, r -> {
            Thread t = new Thread(r);
            t.setName("granary-job-worker");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < workerCount; i++) {
            String workerId = nodeId + "-" + i;
            workers.submit(() -> workLoop(workerId));
        }
    }

    private static JobError interrupted(String exceptionId) {
        return new JobError(ErrorCode.JOB_INTERRUPTED.code(),
                "The job was interrupted by a server stop " + MAX_ATTEMPTS + " times and was not retried again.",
                exceptionId);
    }

    private void tendLeases() {
        try {
            if (!running.isEmpty()) {
                queue.renewLeases(List.copyOf(running));
            }
            String exceptionId = Secrets.exceptionId();
            int recovered = queue.recoverExpired(MAX_ATTEMPTS, interrupted(exceptionId));
            if (recovered > 0) {
                LOG.warn("took over {} job(s) whose node stopped renewing their lease (exceptionId {})", recovered,
                        exceptionId);
                wake();
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot renew job leases; will retry: {}", e.toString());
        }
    }

    /**
     * Queues a job that will run {@code request}, exactly as given, with the handler of {@code operation}.
     * The caller (a use case) has validated and authorised it and chosen its lock.
     */
    public <R> Job submit(JobOperation<R> operation, R request, String tableId, JobLock lock, Token caller,
            JobOrigin origin) {
        checkAccepting();
        if (!handlers.containsKey(operation.name())) {
            throw new GranaryException(ErrorCode.INTERNAL, "No handler for job operation " + operation.name());
        }
        ObjectNode shown = origin.clientParams() == null ? JSON.createObjectNode() : origin.clientParams();
        Job submitted = queue.submit(new NewJob(operation.name(), shown, JobRequests.write(request), tableId, lock,
                origin.runId(), caller.id(), caller.description()));
        wakeOne();
        return submitted;
    }

    /**
     * Refuses with 503 {@link ErrorCode#MAINTENANCE} while this node drains; a route that would store something
     * before it submits (an upload) calls it first, so a refused request leaves nothing behind.
     */
    public void checkAccepting() {
        if (draining.get()) {
            throw stopping("The server is stopping and accepts no new jobs. Retry in a moment (on another node, or"
                    + " after the restart).");
        }
    }

    private GranaryException stopping(String message) {
        long left = TimeUnit.NANOSECONDS.toSeconds(Math.max(0, drainDeadline - System.nanoTime()));
        return new GranaryException(ErrorCode.MAINTENANCE, message,
                Map.of(RETRY_AFTER, Math.max(MIN_RETRY_AFTER_SECONDS, left)), null);
    }

    /** The detail of a {@link ErrorCode#MAINTENANCE} error that says in how many seconds to retry. */
    public static final String RETRY_AFTER = "retryAfter";
    private static final long MIN_RETRY_AFTER_SECONDS = 5;

    /**
     * Waits for a job the caller submitted and answers as a synchronous call would: the job's results, or its
     * own error (the code's status; an internal error keeps the exception id the job was logged with).
     */
    public ObjectNode finish(Token caller, Job job, Duration maxWait) throws InterruptedException {
        Job done = await(caller, job.id(), maxWait);
        if (!done.status().isFinished() && draining.get()) {
            throw stopping("The server stopped before job " + job.id() + " finished; it was handed back and runs"
                    + " again after the restart (or on another node): see /v2/storage/jobs/" + job.id() + ".");
        }
        if (!done.status().isFinished()) {
            throw new GranaryException(ErrorCode.JOB_TIMEOUT, "Job " + job.id() + " did not finish within "
                    + maxWait.toMinutes() + " minutes; it goes on running: see /v2/storage/jobs/" + job.id() + ".");
        }
        if (done.status() == JobStatus.ERROR) {
            JobError e = done.error();
            throw GranaryException.reported(ErrorCode.forCode(e.code()), e.message(), e.exceptionId());
        }
        return done.results() == null ? JSON.createObjectNode() : done.results();
    }

    /** The job, if the caller may see it ({@link #visible}); 404 otherwise. */
    public Job get(Token caller, long id) {
        return queue.find(id).filter(j -> visible(caller, j))
                .orElseThrow(() -> new GranaryException(ErrorCode.JOBS_NOT_FOUND, "Job " + id + " not found"));
    }

    /** Jobs the caller may see, newest first. */
    public List<Job> list(Token caller, int limit, int offset) {
        if (caller.isMasterToken()) {
            return queue.list(limit, offset);
        }
        List<Job> out = new java.util.ArrayList<>();
        int skipped = 0;
        int page = 0;
        final int pageSize = 500;
        while (out.size() < limit) {
            List<Job> batch = queue.list(pageSize, page * pageSize);
            for (Job j : batch) {
                if (!visible(caller, j)) {
                    continue;
                }
                if (skipped < offset) {
                    skipped++;
                } else if (out.size() < limit) {
                    out.add(j);
                }
            }
            if (batch.size() < pageSize) {
                break;
            }
            page++;
        }
        return out;
    }

    /** A token sees the jobs it started, and every job on a table it may read; the master token sees all. */
    public static boolean visible(Token caller, Job job) {
        if (caller.isMasterToken() || job.creatorTokenId() == caller.id()) {
            return true;
        }
        TableRef table = TableRef.parse(job.tableId());
        return table != null && caller.can(table.bucketId(), Permission.READ);
    }

    /**
     * The job once it has finished or {@code maxWait} has passed, whichever is first. A job this node runs
     * wakes its waiters when it ends; on a shared queue, a job run by another node is looked up again every
     * half second.
     */
    public Job await(Token caller, long id, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        // registered before the first look, so an end between the look and the wait is not missed
        CountDownLatch done = finished.computeIfAbsent(id, k -> new CountDownLatch(1));
        Job job;
        try {
            job = get(caller, id);
        } catch (RuntimeException e) {
            ended(id);
            throw e;
        }
        while (!job.status().isFinished()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return job;
            }
            // on a node of its own every job ends here and wakes the latch: the timeout is only a safety net
            long recheck = shared ? idlePoll.toNanos() : TimeUnit.SECONDS.toNanos(5);
            boolean woken = done.await(Math.min(left, recheck), TimeUnit.NANOSECONDS);
            job = get(caller, id);
            if (woken && !job.status().isFinished()) {
                return job; // handed back by a drain: it will not end here
            }
        }
        ended(id);
        return job;
    }

    private void ended(long id) {
        CountDownLatch done = finished.remove(id);
        if (done != null) {
            done.countDown();
        }
    }

    private void workLoop(String workerId) {
        while (started.get() && !draining.get()) {
            try {
                long seen;
                synchronized (signal) {
                    seen = wakeups;
                }
                var claimed = queue.claimNext(workerId);
                if (claimed.isEmpty()) {
                    synchronized (signal) {
                        // a submission between the claim and here would otherwise wait for the next poll
                        if (wakeups == seen && started.get() && !draining.get()) {
                            signal.wait(idlePoll.toMillis());
                        }
                    }
                    continue;
                }
                // counted as running before the look at the drain flag, which drain() sets before it counts
                running.add(claimed.get().id());
                if (draining.get()) {
                    handBack(claimed.get()); // claimed as the drain began: not started, so not ours to run
                    running.remove(claimed.get().id());
                    return;
                }
                // this worker looks for the next job at once, so a job it unblocked (same table) is not left waiting
                execute(claimed.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("job worker {} failed to talk to the job queue", workerId, e);
                sleepQuietly();
            }
        }
    }

    private void execute(Job job) {
        Registered<?> handler = handlers.get(job.operationName());
        MDC.put("jobId", String.valueOf(job.id()));
        if (job.runId() != null) {
            MDC.put("runId", job.runId());
        }
        MDC.put("tokenId", String.valueOf(job.creatorTokenId()));
        long startNanos = System.nanoTime();
        long[] reported = {0, 0};
        JobObserver.Outcome outcome = JobObserver.Outcome.ERROR;
        observer.started(job);
        try {
            if (handler == null) {
                throw new GranaryException(ErrorCode.INTERNAL, "No handler for job operation " + job.operationName());
            }
            Object request = request(job, handler.operation());
            long[] lastWrite = {System.nanoTime()};
            ObjectNode results = handler.run(request, job, (bytes, rows) -> {
                reported[0] = bytes;
                reported[1] = rows;
                long now = System.nanoTime();
                if (now - lastWrite[0] >= PROGRESS_EVERY_NANOS && !handedBack.contains(job.id())) {
                    queue.progress(job.id(), bytes, rows);
                    lastWrite[0] = now;
                }
            });
            if (handedBack.contains(job.id())) {
                LOG.warn("job {} {} ended after it was handed back; it runs again and finds its own work done",
                        job.id(), job.operationName());
                outcome = JobObserver.Outcome.INTERRUPTED;
                return;
            }
            queue.succeed(job.id(), results == null ? JSON.createObjectNode() : results);
            outcome = JobObserver.Outcome.SUCCESS;
            LOG.info("job {} {} succeeded", job.id(), job.operationName());
        } catch (Exception e) {
            // the drain's interrupt must not also stop the queue write that records what became of the job
            boolean interrupted = Thread.interrupted();
            try {
                if (interrupting && !(e instanceof GranaryException ge && ge.errorCode().userError())) {
                    handBack(job);
                    outcome = JobObserver.Outcome.INTERRUPTED;
                } else if (!handedBack.contains(job.id())) {
                    failed(job, e);
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            running.remove(job.id());
            observer.finished(job, outcome, System.nanoTime() - startNanos, reported[0], reported[1]);
            ended(job.id());
            MDC.remove("jobId");
            MDC.remove("runId");
            MDC.remove("exceptionId");
            MDC.remove("tokenId");
        }
    }

    private void failed(Job job, Exception failure) {
        String exceptionId = Secrets.exceptionId();
        MDC.put("exceptionId", exceptionId);
        if (failure instanceof GranaryException e) {
            if (e.errorCode().userError()) {
                LOG.info("job {} {} failed: {} ({})", job.id(), job.operationName(), e.getMessage(), exceptionId);
            } else {
                LOG.error("job {} {} failed ({})", job.id(), job.operationName(), exceptionId, e);
            }
            queue.fail(job.id(), new JobError(e.errorCode().code(), e.getMessage(), exceptionId), JSON.valueToTree(e.details()));
            return;
        }
        LOG.error("job {} {} failed with an internal error ({})", job.id(), job.operationName(), exceptionId, failure);
        queue.fail(job.id(), new JobError(ErrorCode.INTERNAL.code(),
                "Internal error. Contact the administrator with exception id " + exceptionId + ".", exceptionId), null);
    }

    /** Gives a job this node will not finish back to the queue (once), and wakes whoever waits for it. */
    private void handBack(Job job) {
        if (!handedBack.add(job.id())) {
            return;
        }
        try {
            if (queue.release(job.id())) {
                LOG.warn("job {} {} handed back to the queue: it runs again after the restart or on another node",
                        job.id(), job.operationName());
            }
        } catch (RuntimeException e) {
            // it stays processing; the next start (or, shared, the lease running out) puts it back
            LOG.error("cannot hand job {} back to the queue; it is recovered on the next start", job.id(), e);
        }
        ended(job.id());
    }

    private Object request(Job job, JobOperation<?> operation) {
        if (job.request() != null) {
            return JobRequests.read(job.request(), operation.requestType());
        }
        LegacyRequests reader = legacy;
        if (reader == null) {
            throw new GranaryException(ErrorCode.JOB_UNREADABLE, "Job " + job.id() + " was stored by an older Granary"
                    + " without its typed request, and this node cannot read its parameters. Submit it again.");
        }
        try {
            return operation.requestType().cast(reader.read(job));
        } catch (GranaryException e) {
            throw new GranaryException(ErrorCode.JOB_UNREADABLE, "Job " + job.id() + " was stored by an older Granary,"
                    + " and its parameters cannot be read any more: " + e.getMessage() + " Submit it again.", e);
        }
    }

    /** One idle worker is enough for one job; waking all would send every one of them to the queue. */
    private void wakeOne() {
        synchronized (signal) {
            wakeups++;
            signal.notify();
        }
    }

    private void wake() {
        synchronized (signal) {
            wakeups++;
            signal.notifyAll();
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(idlePoll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops this node taking work: from now on {@link #submit} answers 503 and idle workers claim nothing. Jobs
     * running now get {@code grace} to finish; then they are interrupted (a load rolls back) and handed back to
     * the queue, as is any job still running {@link #UNWIND} later. Returns the number of jobs handed back. Only
     * the first call drains; later ones return 0 at once.
     */
    public int drain(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        if (draining.get()) {
            return 0;
        }
        drainDeadline = deadline; // before the flag, so a refusal never reads an unset deadline
        if (!draining.compareAndSet(false, true)) {
            return 0;
        }
        wake();
        if (!running.isEmpty()) {
            LOG.info("stopping: {} running job(s) get up to {} s to finish; no new jobs are taken", running.size(),
                    grace.toSeconds());
        }
        waitForRunning(deadline);
        if (running.isEmpty()) {
            return handedBack.size();
        }
        LOG.warn("{} job(s) still running after the grace of {} s: interrupting them and handing them back",
                running.size(), grace.toSeconds());
        interrupting = true;
        if (workers != null) {
            workers.shutdownNow();
        }
        waitForRunning(System.nanoTime() + UNWIND.toNanos());
        for (long id : List.copyOf(running)) {
            queue.find(id).ifPresent(this::handBack);
        }
        return handedBack.size();
    }

    private void waitForRunning(long deadline) {
        try {
            while (!running.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        drain(CLOSE_GRACE);
        started.set(false);
        wake();
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.warn("cannot stop watching the job queue: {}", e.toString());
            }
        }
        if (leases != null) {
            leases.shutdownNow();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                    workers.shutdownNow();
                    workers.awaitTermination(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
