package io.granary.core.storage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobOperations;
import io.granary.core.job.JobOrigin;
import io.granary.core.job.JobService;
import io.granary.core.job.WorkspaceLoadRequest;
import io.granary.core.model.Job;
import io.granary.core.model.JobLock;
import io.granary.core.model.Permission;
import io.granary.core.model.Table;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import io.granary.core.port.Catalog;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.port.WorkspaceBackend.ColumnMapping;
import io.granary.core.port.WorkspaceBackend.LoadTable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads of Storage tables into a workspace ({@code load}, {@code input-mapping-load}): one {@code workspaceLoad} job
 * per request, under the workspace's lock. Everything a load says is checked when it is accepted — the workspace is
 * the caller's, every source is a table the caller may read, columns and filters name its columns, times are
 * resolved — so the job copies exactly what was accepted; it only checks again that the sources are still there.
 */
public final class WorkspaceLoads {

    /** A column to copy, under {@code destination} (null = its own name). */
    public record ColumnInput(String source, String destination) {
    }

    /**
     * One table of a load as a client asks: {@code limit} null or 0 = all rows; {@code timestampColumn} keeps the
     * rows' {@code _timestamp}; {@code loadType} null, {@code AUTO} or {@code COPY}; {@code days} is refused (set only
     * when the client sent it).
     */
    public record LoadItem(String source, String destination, List<ColumnInput> columns, SelectionInput selection,
            Long limit, boolean overwrite, boolean timestampColumn, String loadType, String days) {
        public LoadItem {
            columns = columns == null ? List.of() : List.copyOf(columns);
            selection = selection == null ? SelectionInput.ALL : selection;
        }
    }

    /** A load: without {@code preserve} the workspace is emptied first. */
    public record LoadInput(boolean preserve, List<LoadItem> items) {
        public LoadInput {
            items = items == null ? List.of() : List.copyOf(items);
        }
    }

    /** Names the workspace may give a table or column: what every engine takes without surprises. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}");

    private final Catalog catalog;
    private final WorkspaceService workspaces;
    private final TableService tables;
    private final JobService jobs;
    private final Clock clock;
    private final StorageErrors errors;

    public WorkspaceLoads(Catalog catalog, WorkspaceService workspaces, TableService tables, JobService jobs, Clock clock,
            StorageErrors errors) {
        this.catalog = catalog;
        this.workspaces = workspaces;
        this.tables = tables;
        this.jobs = jobs;
        this.clock = clock;
        this.errors = errors;
    }

    /** Registers the handler of {@code workspaceLoad}. */
    public void registerWith(JobService service) {
        service.register(JobOperations.WORKSPACE_LOAD, (r, job, progress) -> run(r, progress));
    }

    /** Accepts a load into workspace {@code id} and queues it. */
    public Job submit(Token caller, long id, LoadInput input, JobOrigin origin) {
        Workspace workspace = workspaces.require(caller, id);
        Instant now = clock.instant();
        List<LoadTable> accepted = new ArrayList<>();
        Set<String> destinations = new HashSet<>();
        for (int i = 0; i < input.items().size(); i++) {
            LoadTable t = accept(caller, input.items().get(i), "input[" + i + "].", now);
            if (!destinations.add(t.destination().toLowerCase(Locale.ROOT))) {
                throw invalid("input[" + i + "].destination", "the destination \"" + t.destination()
                        + "\" is loaded twice in this request.");
            }
            accepted.add(t);
        }
        return jobs.submit(JobOperations.WORKSPACE_LOAD, new WorkspaceLoadRequest(workspace.id(), input.preserve(),
                accepted), null, JobLock.workspace(workspace.id()), caller, origin);
    }

    private LoadTable accept(Token caller, LoadItem item, String at, Instant now) {
        if (item.days() != null && !item.days().isBlank()) {
            throw new GranaryException(ErrorCode.WORKSPACES_VALIDATION,
                    "Days option is not supported on workspace, use changed_since instead.");
        }
        String loadType = item.loadType() == null ? "" : item.loadType().strip().toUpperCase(Locale.ROOT);
        if (!loadType.isEmpty() && !loadType.equals("AUTO") && !loadType.equals("COPY")) {
            throw invalid(at + "loadType", "load type \"" + item.loadType() + "\" is not supported on "
                    + workspaces.backend().name() + " workspaces: Granary copies the rows (COPY).");
        }
        if (item.source() == null || item.source().isBlank()) {
            throw invalid(at + "source", "This value should not be blank.");
        }
        Table table = tables.require(caller, item.source().strip(), Permission.READ);
        String destination = item.destination() == null ? "" : item.destination().strip();
        checkName(at + "destination", destination);
        List<ColumnMapping> columns = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ColumnInput c : item.columns()) {
            if (c.source() == null || c.source().isBlank()) {
                throw invalid(at + "columns", "every column needs a source name.");
            }
            String to = c.destination() == null || c.destination().isBlank() ? c.source() : c.destination().strip();
            checkName(at + "columns", to);
            if (!names.add(to.toLowerCase(Locale.ROOT))) {
                throw invalid(at + "columns", "the column \"" + to + "\" is given twice.");
            }
            columns.add(new ColumnMapping(c.source(), to));
        }
        TableService.checkColumnsExist(table, columns.stream().map(ColumnMapping::source).toList(), at + "columns");
        if (item.timestampColumn() && (columns.isEmpty() ? table.columns() : names).stream()
                .anyMatch(n -> n.equalsIgnoreCase(TableBackend.TIMESTAMP_COLUMN))) {
            throw invalid(at + "columns", "\"_timestamp\" is the rows' change time in a workspace table; name the column"
                    + " otherwise or leave the change time out.");
        }
        SelectionInput s = item.selection();
        RowSelection selection = new RowSelection(TableService.filters(table, s.filters()),
                TimeExpression.resolve(at + "changedSince", s.changedSince(), now),
                TimeExpression.resolve(at + "changedUntil", s.changedUntil(), now));
        if (item.limit() != null && item.limit() < 0) {
            throw invalid(at + "rows", "This value should be 0 or more.");
        }
        Long limit = item.limit() == null || item.limit() == 0 ? null : item.limit();
        return new LoadTable(table.ref(), destination, columns, selection, limit, item.overwrite(),
                item.timestampColumn());
    }

    private ObjectNode run(WorkspaceLoadRequest r, io.granary.core.job.JobProgress progress) {
        Workspace workspace = catalog.findWorkspace(r.workspaceId())
                .orElseThrow(() -> WorkspaceService.notFound(r.workspaceId()));
        for (LoadTable t : r.tables()) {
            // a table dropped (or a column removed) since the load was accepted fails it before anything changes
            Table table = catalog.findTable(t.source().tableId()).orElseThrow(() -> errors.tableNotFound(t.source().tableId()));
            TableService.checkColumnsExist(table, t.columns().stream().map(ColumnMapping::source).toList(), "columns");
        }
        WorkspaceBackend backend = workspaces.backend();
        List<WorkspaceBackend.LoadedTable> loaded = backend.load(workspace.id(), r.preserve(), r.tables(), progress);
        ObjectNode results = JsonNodeFactory.instance.objectNode();
        results.put("workspaceId", workspace.id());
        ArrayNode out = results.putArray("input");
        for (WorkspaceBackend.LoadedTable t : loaded) {
            out.addObject().put("source", t.source()).put("destination", t.destination()).put("loadType", "COPY")
                    .put("rowsCount", t.rows());
        }
        return results;
    }

    private static void checkName(String parameter, String name) {
        if (name.isEmpty()) {
            throw invalid(parameter, "This value should not be blank.");
        }
        if (!NAME.matcher(name).matches()) {
            throw invalid(parameter, "\"" + name + "\" is not a valid name in a workspace: use at most 63 letters,"
                    + " digits, '_', '-' and '.', not starting with '-' or '.'.");
        }
    }

    private static GranaryException invalid(String parameter, String message) {
        return new GranaryException(ErrorCode.WORKSPACES_VALIDATION, "Invalid request: " + parameter + ": " + message);
    }
}
