package io.granary.server.routes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.job.JobOrigin;
import io.granary.core.job.JobService;
import io.granary.core.model.Job;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import io.granary.core.storage.WorkspaceLoads;
import io.granary.core.storage.WorkspaceService;
import io.granary.server.http.Params;
import io.granary.server.http.Requests;
import io.granary.server.http.Responses;
import io.granary.server.http.Views;
import io.granary.server.http.WorkspaceParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * {@code /v2/storage/workspaces/**} and the workspaces of a component configuration. A synchronous create answers
 * 201 with the password in {@code connection.password} (the only time it is shown, besides a password reset); an
 * asynchronous one ({@code async}) is a {@code workspaceCreate} job. Loads are always jobs.
 */
public final class WorkspaceRoutes {

    /** How long a synchronous delete waits for its job. */
    static final Duration SYNC_WAIT = Duration.ofHours(1);

    private final WorkspaceService workspaces;
    private final WorkspaceLoads loads;
    private final JobService jobs;
    private final Requests requests;
    private final Views views;

    public WorkspaceRoutes(WorkspaceService workspaces, WorkspaceLoads loads, JobService jobs, Requests requests,
            Views views) {
        this.workspaces = workspaces;
        this.loads = loads;
        this.jobs = jobs;
        this.requests = requests;
        this.views = views;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v2/storage/workspaces", ctx -> create(ctx, null, null));
        routes.get("/v2/storage/workspaces", ctx -> list(ctx, null, null));
        routes.get("/v2/storage/workspaces/{id}", this::detail);
        routes.delete("/v2/storage/workspaces/{id}", this::delete);
        routes.post("/v2/storage/workspaces/{id}/password", this::password);
        routes.post("/v2/storage/workspaces/{id}/load", ctx -> load(ctx, false));
        routes.post("/v2/storage/workspaces/{id}/input-mapping-load", ctx -> load(ctx, true));
        String ofConfig = "/v2/storage/components/{componentId}/configs/{configId}/workspaces";
        routes.post(ofConfig, ctx -> create(ctx, ctx.pathParam("componentId"), ctx.pathParam("configId")));
        routes.get(ofConfig, ctx -> list(ctx, ctx.pathParam("componentId"), ctx.pathParam("configId")));
    }

    private void create(Context ctx, String component, String configurationId) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        WorkspaceService.CreateInput input = WorkspaceParams.createInput(p, component, configurationId);
        if (p.bool("async", false)) {
            ObjectNode params = JsonNodeFactory.instance.objectNode()
                    .put("readOnlyStorageAccess", input.readOnlyStorageAccess());
            Responses.json(ctx, 202, views.job(workspaces.submitCreate(caller, input,
                    new JobOrigin(requests.runId(ctx), params))));
            return;
        }
        WorkspaceService.Created created = workspaces.create(caller, input);
        Responses.json(ctx, 201, views.workspace(created.workspace(), created.password()));
    }

    private void list(Context ctx, String component, String configurationId) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, workspaces.list(caller, component, configurationId).stream().map(views::workspace)
                .toList());
    }

    private void detail(Context ctx) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, views.workspace(workspaces.require(caller, id(ctx))));
    }

    /** Synchronous or not, a delete is a job on the workspace's lock: it never interleaves with a load of it. */
    private void delete(Context ctx) throws InterruptedException {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        long id = id(ctx);
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("workspaceId", id);
        Job job = workspaces.submitDelete(caller, id, new JobOrigin(requests.runId(ctx), params));
        if (p.bool("async", false)) {
            Responses.json(ctx, 202, views.job(job));
            return;
        }
        jobs.finish(caller, job, SYNC_WAIT);
        Responses.noContent(ctx);
    }

    private void password(Context ctx) {
        Token caller = requests.caller(ctx);
        Workspace w = workspaces.require(caller, id(ctx));
        String password = workspaces.resetPassword(caller, w.id());
        Responses.json(ctx, 200, JsonNodeFactory.instance.objectNode().put("password", password));
    }

    private void load(Context ctx, boolean inputMapping) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        long id = id(ctx);
        WorkspaceLoads.LoadInput input = inputMapping ? WorkspaceParams.inputMapping(p) : WorkspaceParams.load(p);
        ObjectNode params = p.tree().put("workspaceId", id);
        Responses.json(ctx, 202, views.job(loads.submit(caller, id, input, new JobOrigin(requests.runId(ctx), params))));
    }

    private static long id(Context ctx) {
        return Requests.longPath(ctx, "id", raw -> new io.granary.core.error.GranaryException(
                io.granary.core.error.ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + raw + " not found"));
    }
}
