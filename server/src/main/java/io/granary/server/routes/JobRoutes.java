package io.granary.server.routes;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobService;
import io.granary.core.model.Token;
import io.granary.server.http.Params;
import io.granary.server.http.Requests;
import io.granary.server.http.Responses;
import io.granary.server.http.Views;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;

/** {@code /v2/storage/jobs/**}. A job detail long-polls briefly so a small job is done on the first poll. */
public final class JobRoutes {

    static final Duration DEFAULT_WAIT = Duration.ofSeconds(1);
    static final long MAX_WAIT_SECONDS = 60;

    private final JobService jobs;
    private final Requests requests;
    private final Views views;

    public JobRoutes(JobService jobs, Requests requests, Views views) {
        this.jobs = jobs;
        this.requests = requests;
        this.views = views;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v2/storage/jobs", this::list);
        routes.get("/v2/storage/jobs/{id}", this::detail);
    }

    private void list(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        int limit = p.intValue("limit") == null ? 100 : Math.max(0, Math.min(p.intValue("limit"), 1000));
        int offset = p.intValue("offset") == null ? 0 : Math.max(0, p.intValue("offset"));
        Responses.json(ctx, 200, jobs.list(caller, limit, offset).stream().map(views::job).toList());
    }

    private void detail(Context ctx) throws InterruptedException {
        Token caller = requests.caller(ctx);
        long id = Requests.longPath(ctx, "id", raw -> new GranaryException(ErrorCode.JOBS_NOT_FOUND, "Job " + raw + " not found"));
        Long wait = requests.params(ctx).longValue("wait");
        Duration maxWait = wait == null ? DEFAULT_WAIT : Duration.ofSeconds(Math.max(0, Math.min(wait, MAX_WAIT_SECONDS)));
        Responses.json(ctx, 200, views.job(jobs.await(caller, id, maxWait)));
    }
}
