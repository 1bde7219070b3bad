package io.granary.runner;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Input tables loaded into a workspace (spec 5.1 – 5.3, 5.6): the workspace is created when the staging opens (of the
 * server's backend, labelled with the configuration when the run has one) or, with {@code --workspace-id}, an
 * existing one is used; the tables go in by one {@code input-mapping-load} job, each {@code in/tables/<destination>
 * .manifest} is written without a data file, and config.json's {@code authorization.workspace} gets the workspace's
 * connection fields. {@link #close} deletes a workspace it created (a reused one is kept). The
 * {@link WorkspaceOutputStaging} of the run unloads from the same workspace.
 */
final class WorkspaceInputStaging implements InputStaging {

    private final StorageClient client;
    private final RunLog log;
    private final long id;
    private final ObjectNode connection;
    private final boolean owned;
    private final AtomicBoolean closed = new AtomicBoolean();

    private WorkspaceInputStaging(StagingContext context, long id, ObjectNode connection, boolean owned) {
        this.client = context.client();
        this.log = context.log();
        this.id = id;
        this.connection = connection;
        this.owned = owned;
    }

    /**
     * Refuses what a workspace cannot load, then creates the run's workspace, or finds {@code workspaceId}.
     *
     * @throws UserException {@link WorkspaceInputs#DAYS}, {@link WorkspaceInputs#ADAPTIVE}, or Storage's refusal
     *                       worded {@code Cannot create workspace: <message>} / {@code Cannot use workspace "<id>": …}
     */
    static WorkspaceInputStaging open(StagingContext context, String workspaceId) {
        WorkspaceInputs.check(context.inputTables()); // before anything is made
        StorageClient client = context.client();
        if (workspaceId != null) {
            JsonNode ws;
            try {
                ws = client.workspaces().get(Long.parseLong(workspaceId));
            } catch (NumberFormatException e) {
                throw new UserException("Cannot use workspace \"" + workspaceId + "\": not a workspace id.");
            } catch (StorageApiException e) {
                throw new UserException("Cannot use workspace \"" + workspaceId + "\": " + e.getMessage(), e);
            }
            long id = ws.path("id").asLong();
            // Storage shows a password only when it makes one, so a reused workspace with a login gets a new one (the
            // old one stops working): the component must be able to log in with what authorization.workspace says
            ObjectNode c = ws.path("connection").deepCopy();
            String password = "";
            if (!c.path("user").asText("").isEmpty()) {
                try {
                    password = client.workspaces().resetPassword(id);
                } catch (StorageApiException e) {
                    throw new UserException("Cannot use workspace \"" + workspaceId + "\": cannot reset its password: "
                            + e.getMessage(), e);
                }
            }
            c.put("password", password);
            context.log().info("Using workspace " + id + " (kept after the run" + (password.isEmpty() ? ")."
                    : "; its password was reset for the component)."));
            return new WorkspaceInputStaging(context, id, c, false);
        }
        JsonNode ws;
        try {
            ws = context.configId() == null ? client.workspaces().create(context.readOnlyStorageAccess())
                    : client.workspaces().createForConfiguration(context.componentId(), context.configId(),
                            context.readOnlyStorageAccess());
        } catch (StorageApiException e) {
            throw new UserException("Cannot create workspace: " + e.getMessage(), e);
        }
        context.log().info("Created workspace " + ws.path("id").asText() + " ("
                + ws.path("connection").path("backend").asText() + ").");
        return new WorkspaceInputStaging(context, ws.path("id").asLong(), ws.path("connection").deepCopy(), true);
    }

    long id() {
        return id;
    }

    @Override
    public String name() {
        return StagingModes.WORKSPACE_MODE;
    }

    @Override
    public void stageTables(List<InputTable> tables) {
        if (!tables.isEmpty()) {
            List<Map<String, Object>> items = Json.MAPPER.convertValue(WorkspaceInputs.items(tables),
                    new TypeReference<List<Map<String, Object>>>() { });
            try {
                client.workspaces().inputMappingLoad(id, items, false);
            } catch (StorageApiException e) {
                throw new UserException("Cannot import data from Storage API: " + e.getMessage(), e);
            }
        }
        for (InputTable t : tables) {
            Json.write(t.manifestPath(), t.manifest());
            log.info("Loaded table \"" + t.source() + "\" into workspace table \"" + t.destination() + "\".");
        }
    }

    @Override
    public ObjectNode authorization() {
        ObjectNode a = Json.object();
        a.set("workspace", connection.deepCopy());
        return a;
    }

    @Override
    public Set<String> secrets() {
        String password = connection.path("password").asText("");
        return password.isEmpty() ? Set.of() : Set.of(password);
    }

    /** Deletes the workspace this staging created (404: already gone); other failures are only logged (5.6). */
    @Override
    public void close() {
        if (!owned || !closed.compareAndSet(false, true)) {
            return;
        }
        try {
            client.workspaces().delete(id);
            log.info("Deleted workspace " + id + ".");
        } catch (StorageApiException e) {
            if (e.status() != 404) {
                log.warn("Cannot delete workspace " + id + ": " + e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("Cannot delete workspace " + id + ": " + e);
        }
    }
}
