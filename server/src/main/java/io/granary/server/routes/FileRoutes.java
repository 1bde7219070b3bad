package io.granary.server.routes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobOrigin;
import io.granary.core.model.Token;
import io.granary.core.storage.FileService;
import io.granary.core.storage.FileService.PrepareRequest;
import io.granary.server.http.Params;
import io.granary.server.http.Requests;
import io.granary.server.http.Responses;
import io.granary.server.http.Views;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.InputStream;

/** {@code /v2/storage/files/**} and the importer's {@code /upload-file}. */
public final class FileRoutes {

    private final FileService files;
    private final Requests requests;
    private final Views views;

    public FileRoutes(FileService files, Requests requests, Views views) {
        this.files = files;
        this.requests = requests;
        this.views = views;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v2/storage/files/prepare", this::prepare);
        routes.get("/v2/storage/files", this::list);
        routes.get("/v2/storage/files/{id}", this::detail);
        routes.delete("/v2/storage/files/{id}", this::delete);
        routes.post("/v2/storage/files/{id}/tags", this::addTag);
        routes.delete("/v2/storage/files/{id}/tags/{tag}", this::removeTag);
        routes.put("/v2/storage/files/{id}/refresh", this::refresh);
        routes.post("/upload-file", this::upload);
        routes.post("/v2/storage/upload-file", this::upload);
    }

    private void prepare(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        var view = files.prepare(caller, prepareRequest(p, p.string("name")), requests.runId(ctx));
        Responses.json(ctx, 201, views.file(view, true));
    }

    private void list(Context ctx) {
        Token caller = requests.caller(ctx);
        Params p = requests.params(ctx);
        var request = new FileService.ListRequest(p.intValue("limit"), p.intValue("offset"), p.longValue("sinceId"),
                p.longValue("maxId"), p.list("tags", false), p.string("runId"), p.string("q"), p.bool("showExpired", false));
        Responses.json(ctx, 200, files.list(caller, request).stream().map(v -> views.file(v, false)).toList());
    }

    private void detail(Context ctx) {
        Token caller = requests.caller(ctx);
        boolean federation = requests.params(ctx).bool("federationToken", false);
        Responses.json(ctx, 200, views.file(files.get(caller, id(ctx), federation), false));
    }

    private void delete(Context ctx) {
        Token caller = requests.caller(ctx);
        long id = id(ctx);
        if (requests.params(ctx).bool("async", false)) {
            ObjectNode params = JsonNodeFactory.instance.objectNode().put("fileId", id);
            Responses.json(ctx, 202, views.job(files.submitDelete(caller, id, new JobOrigin(requests.runId(ctx), params))));
            return;
        }
        files.delete(caller, id);
        Responses.noContent(ctx);
    }

    private void addTag(Context ctx) {
        Token caller = requests.caller(ctx);
        files.addTag(caller, id(ctx), requests.params(ctx).string("tag"));
        Responses.noContent(ctx);
    }

    private void removeTag(Context ctx) {
        Token caller = requests.caller(ctx);
        files.removeTag(caller, id(ctx), ctx.pathParam("tag"));
        Responses.noContent(ctx);
    }

    private void refresh(Context ctx) {
        Token caller = requests.caller(ctx);
        Responses.json(ctx, 200, views.file(files.refresh(caller, id(ctx)), true));
    }

    private void upload(Context ctx) throws Exception {
        Token caller = requests.caller(ctx);
        UploadedFile data = Requests.uploadedData(ctx);
        Params p = requests.params(ctx);
        String name = p.has("name") ? p.string("name") : data.filename();
        try (InputStream in = data.content()) {
            var view = files.upload(caller, prepareRequest(p, name), in, data.size(), requests.runId(ctx));
            Responses.json(ctx, 200, views.file(view, false));
        }
    }

    private static PrepareRequest prepareRequest(Params p, String name) {
        return new PrepareRequest(name, p.longValue("sizeBytes"), p.string("contentType"), p.bool("isPublic", false),
                p.bool("isPermanent", false), p.bool("isEncrypted", false), p.bool("isSliced", false), p.list("tags", false));
    }

    private static long id(Context ctx) {
        return Requests.longPath(ctx, "id", raw -> new GranaryException(
                io.granary.core.error.ErrorCode.FILES_NOT_FOUND, "File not found (id " + raw + ")."));
    }
}
