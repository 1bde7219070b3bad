package io.granary.core.storage;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobOperations;
import io.granary.core.job.JobOrigin;
import io.granary.core.job.JobService;
import io.granary.core.job.WorkspaceCreateRequest;
import io.granary.core.job.WorkspaceDeleteRequest;
import io.granary.core.model.Job;
import io.granary.core.model.JobLock;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import io.granary.core.port.Catalog;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.port.WorkspaceBackend.Login;
import java.time.Clock;
import java.util.List;

/**
 * Workspaces: create, list, detail, delete and password reset, with the visibility rule (a workspace is seen and
 * used by the token that created it and by the master token; any other token gets a 404). A synchronous create runs
 * here, so its password reaches only the caller; an asynchronous one is a job whose results show the workspace
 * without a password, as Keboola's are (its clients reset the password next). Loads are {@link WorkspaceLoads}.
 */
public final class WorkspaceService {

    /**
     * A create as a client asks: {@code backend} null = the node's; {@code component}/{@code configurationId} label a
     * workspace made for a configuration; {@code loginType} null or {@code default} (a password login).
     */
    public record CreateInput(String backend, boolean readOnlyStorageAccess, String component, String configurationId,
            String loginType) {
    }

    /** A new workspace with the password of its login, which nothing else ever shows again. */
    public record Created(Workspace workspace, String password) {
        @Override
        public String toString() {
            return "Created[" + workspace + "]";
        }
    }

    private final Catalog catalog;
    private final WorkspaceBackend backend;
    private final String tableBackendName;
    private final JobService jobs;
    private final Clock clock;
    private final WorkspaceView view;

    /** @param backend null when the node's table backend offers no workspaces (every call is then a 501) */
    public WorkspaceService(Catalog catalog, WorkspaceBackend backend, String tableBackendName, JobService jobs,
            Clock clock, WorkspaceView view) {
        this.catalog = catalog;
        this.backend = backend;
        this.tableBackendName = tableBackendName;
        this.jobs = jobs;
        this.clock = clock;
        this.view = view;
    }

    /** Registers the handlers of workspace creation and deletion. */
    public void registerWith(JobService service) {
        service.register(JobOperations.WORKSPACE_CREATE, (r, job, progress) -> view.render(create(r,
                job.creatorTokenId(), job.creatorTokenDescription()).workspace()));
        service.register(JobOperations.WORKSPACE_DELETE, (r, job, progress) -> {
            remove(r.workspaceId());
            return JsonNodeFactory.instance.objectNode();
        });
    }

    // ---- create

    /** Creates a workspace now and returns it with its password. */
    public Created create(Token caller, CreateInput input) {
        WorkspaceCreateRequest request = createRequest(caller, input, catalog.nextWorkspaceId());
        return create(request, caller.id(), caller.description());
    }

    /** Accepts an asynchronous create ({@code workspaceCreate}); the id is taken now, so a retried job makes the same one. */
    public Job submitCreate(Token caller, CreateInput input, JobOrigin origin) {
        WorkspaceCreateRequest request = createRequest(caller, input, catalog.nextWorkspaceId());
        return jobs.submit(JobOperations.WORKSPACE_CREATE, request, null, JobLock.workspace(request.workspaceId()), caller,
                origin);
    }

    private WorkspaceCreateRequest createRequest(Token caller, CreateInput input, long id) {
        WorkspaceBackend b = backend();
        String asked = input.backend() == null ? "" : input.backend().strip();
        if (!asked.isEmpty() && !asked.equals(b.name()) && !asked.equals(tableBackendName)) {
            throw new GranaryException(ErrorCode.WORKSPACES_VALIDATION, "Backend \"" + asked
                    + "\" is not supported: this project's workspaces are on \"" + b.name() + "\".");
        }
        String login = input.loginType() == null ? "" : input.loginType().strip();
        if (!login.isEmpty() && !login.equals("default")) {
            throw new GranaryException(ErrorCode.WORKSPACES_VALIDATION, "Login type \"" + login
                    + "\" is not supported: " + b.name() + " workspaces have password logins (\"default\").");
        }
        if (input.readOnlyStorageAccess() && !caller.isMasterToken() && !caller.canManageBuckets()) {
            throw GranaryException.accessDenied("readOnlyStorageAccess lets the workspace read every table in Storage:"
                    + " it needs a token that can read every bucket (the master token or one with canManageBuckets).");
        }
        return new WorkspaceCreateRequest(id, blankToNull(input.component()), blankToNull(input.configurationId()),
                input.readOnlyStorageAccess());
    }

    private Created create(WorkspaceCreateRequest r, long creatorTokenId, String creatorTokenDescription) {
        WorkspaceBackend b = backend();
        var existing = catalog.findWorkspace(r.workspaceId());
        if (existing.isPresent()) {
            // a retried job whose first run got as far as the catalog: that workspace is the result
            return new Created(existing.get(), "");
        }
        Login login = b.create(r.workspaceId(), new WorkspaceBackend.Options(r.readOnlyStorageAccess()));
        Workspace workspace = new Workspace(r.workspaceId(), Workspace.nameOf(r.workspaceId()), b.name(), r.component(),
                r.configurationId(), r.readOnlyStorageAccess(), login.connection(), creatorTokenId,
                creatorTokenDescription, clock.instant());
        boolean stored;
        try {
            stored = catalog.insertWorkspace(workspace);
        } catch (RuntimeException e) {
            b.drop(r.workspaceId());
            throw e;
        }
        if (!stored) {
            b.drop(r.workspaceId());
            throw new GranaryException(ErrorCode.INTERNAL, "Workspace id " + r.workspaceId() + " is taken.");
        }
        return new Created(workspace, login.password());
    }

    // ---- reads

    /** The workspaces the caller may see, by id; with {@code component} (and {@code configurationId}), only theirs. */
    public List<Workspace> list(Token caller, String component, String configurationId) {
        backend();
        return catalog.listWorkspaces().stream()
                .filter(w -> w.visibleTo(caller))
                .filter(w -> component == null || component.equals(w.component()))
                .filter(w -> configurationId == null || configurationId.equals(w.configurationId()))
                .toList();
    }

    /** The workspace, if the caller may see it; 404 otherwise (another token's workspace is not shown to exist). */
    public Workspace require(Token caller, long id) {
        backend();
        return catalog.findWorkspace(id).filter(w -> w.visibleTo(caller)).orElseThrow(() -> notFound(id));
    }

    // ---- changes

    /** A new password for the workspace's login; the old one stops working. */
    public String resetPassword(Token caller, long id) {
        Workspace w = require(caller, id);
        return backend().resetPassword(w.id());
    }

    /**
     * Accepts a delete ({@code workspaceDelete}) under the workspace's lock, so it never interleaves with a load of
     * it; a synchronous delete waits for this job.
     */
    public Job submitDelete(Token caller, long id, JobOrigin origin) {
        Workspace w = require(caller, id);
        return jobs.submit(JobOperations.WORKSPACE_DELETE, new WorkspaceDeleteRequest(w.id()), null,
                JobLock.workspace(w.id()), caller, origin);
    }

    // the engine's objects go first: a failure leaves the catalog row, so the delete can be tried again
    private void remove(long id) {
        catalog.findWorkspace(id).ifPresent(w -> {
            backend().drop(w.id());
            catalog.deleteWorkspace(w.id());
        });
    }

    WorkspaceBackend backend() {
        if (backend == null) {
            throw new GranaryException(ErrorCode.NOT_IMPLEMENTED, "Workspaces are not available on the \""
                    + tableBackendName + "\" table backend.");
        }
        return backend;
    }

    public static GranaryException notFound(long id) {
        return new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + id + " not found");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
