package io.granary.server.routes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.job.JobService;
import io.granary.core.job.JobOrigin;
import io.granary.core.model.Job;
import io.granary.core.model.Token;
import io.granary.core.storage.BucketService;
import io.granary.server.http.Params;
import io.granary.server.http.Requests;
import io.granary.server.http.Responses;
import io.granary.server.http.Views;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;

/** {@code /v2/storage/buckets/**} (tables come with Table Storage). */
public final class BucketRoutes {

    /** How long a synchronous delete waits for its job. */
    static final Duration SYNC_WAIT = Duration.ofHours(1);

    private final BucketService buckets;
    private final JobService jobs;
    private final Requests requests;
    private final Views views;

    public BucketRoutes(BucketService buckets, JobService jobs, Requests requests, Views views) {
        this.buckets = buckets;
        this.jobs = jobs;
        this.requests = requests;
        this.views = views;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v2/storage/buckets", this::list);
        routes.post("/v2/storage/buckets", this::create);
        routes.get("/v2/storage/buckets/{id}", this::detail);
        routes.delete("/v2/storage/buckets/{id}", this::delete);
    }

    private void list(Context ctx) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, buckets.list(caller).stream().map(views::bucket).toList());
    }

    private void create(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        var bucket = buckets.create(caller, new BucketService.BucketRequest(p.string("name"), p.string("stage"),
                p.string("description"), p.string("displayName"), p.string("backend")));
        Responses.json(ctx, 201, views.bucket(bucket));
    }

    private void detail(Context ctx) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, views.bucket(buckets.get(caller, ctx.pathParam("id"))));
    }

    /** Synchronous or not, a delete is a job holding the bucket and its tables: it never interleaves with their jobs. */
    private void delete(Context ctx) throws InterruptedException {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        String id = ctx.pathParam("id");
        boolean force = p.bool("force", false);
        boolean async = p.bool("async", false);
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("bucketId", id).put("force", force);
        Job job = buckets.submitDelete(caller, id, force, new JobOrigin(requests.runId(ctx), params));
        if (async) {
            Responses.json(ctx, 202, views.job(job));
            return;
        }
        jobs.finish(caller, job, SYNC_WAIT);
        Responses.noContent(ctx);
    }
}
