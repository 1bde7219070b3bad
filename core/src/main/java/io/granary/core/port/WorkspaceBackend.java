package io.granary.core.port;

import io.granary.core.job.JobProgress;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.port.TableBackend.RowSelection;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workspaces on the engine of one {@link TableBackend}: per workspace an isolated place (a schema, or a database
 * file of its own) named {@code WORKSPACE_<id>}, and a login that reaches that place and nothing else — not
 * Storage's tables, not another workspace, not Granary's catalog — unless it was created with
 * {@link Options#readOnlyStorageAccess()}, which adds read access to Storage's tables and to nothing else.
 * A backend comes from {@link TableBackendFactory#openWorkspaces}, next to the table backend whose tables it
 * copies from (a load is a copy inside one engine).
 *
 * <p>What a caller may rely on:
 * <ul>
 * <li>Workspaces are identified by the id the caller gives them (the catalog allocates it); a backend keeps no
 * record of its own beyond the engine's objects, and every method may be called again after a crash:
 * {@link #create} replaces a leftover of the same id, {@link #drop} of a missing workspace does nothing.</li>
 * <li>Calls for one workspace are serialised by the caller (the job queue's workspace lock) except {@link #columns}
 * and {@link #export}, which may run beside a load of the same workspace; calls for different workspaces may run
 * at the same time.</li>
 * <li>Passwords are returned by {@link #create} and {@link #resetPassword} only; the backend keeps nothing from
 * which they could be read back (an engine may keep a salted verifier) and never logs them.</li>
 * <li>Failures are {@link io.granary.core.error.GranaryException}s: {@code storage.workspaces.validation} for an
 * option this backend cannot honour, {@code storage.workspaces.tableNotFound} for a workspace table that is not
 * there (message {@code Table "x" not found in schema "WORKSPACE_1"}, as Keboola words it),
 * {@code storage.workspaces.tableAlreadyExists} for a load destination that exists, {@code storage.workspaces.locked}
 * when the workspace is held by another process (an embedded file a component still has open),
 * {@code storage.workspaces.notFound} when the workspace does not exist; anything else is internal.</li>
 * </ul>
 */
public interface WorkspaceBackend extends AutoCloseable {

    /**
     * The address clients are told to connect to ({@code connection.host}); the node sets it to its public host
     * unless {@code --workspace-host} is given. Only backends reached over the network read it.
     */
    Setting HOST = Setting.of("workspace-host", "Host name that workspace connections name (default: the host of"
            + " --public-url, or the database's own host when that is not a loopback address)");

    /**
     * The key under which a node passes its own public host (the host of {@code --public-url}) in the
     * {@link StoreContext#settings()}: the default of {@link #HOST}. Not a flag.
     */
    String PUBLIC_HOST = "public-host";

    /** What a workspace is created with. */
    record Options(boolean readOnlyStorageAccess) {
    }

    /**
     * What a client connects with: {@code connection} has every field of this backend, in order, each a string ("" for
     * a field this backend does not use), without the password; {@code password} is "" for a backend without logins.
     */
    record Login(Map<String, String> connection, String password) {
        public Login {
            if (connection.containsKey("password")) {
                throw new IllegalArgumentException("the connection fields never hold the password");
            }
            connection = Collections.unmodifiableMap(new LinkedHashMap<>(connection));
            password = password == null ? "" : password;
        }

        /** Hides the password, so a login never lands in a log by accident. */
        @Override
        public String toString() {
            return "Login" + connection;
        }
    }

    /** A Storage column copied into the workspace under {@code destination}. */
    record ColumnMapping(String source, String destination) {
    }

    /**
     * One table to copy: the {@code columns} of {@code source} (empty = all, under their own names), the rows of
     * {@code selection}, at most {@code limit} rows (null = all). With {@code timestampColumn} the copy also has the
     * rows' change time as a last column {@code _timestamp}. The caller has checked that source and columns exist.
     */
    record LoadTable(TableRef source, String destination, List<ColumnMapping> columns, RowSelection selection,
            Long limit, boolean overwrite, boolean timestampColumn) {
        public LoadTable {
            columns = columns == null ? List.of() : List.copyOf(columns);
            selection = selection == null ? RowSelection.ALL : selection;
        }
    }

    /** What {@link #export} wrote: local CSV slices in order, the rows in them and their columns. */
    record Unload(List<Path> slices, long rows, List<String> columns) {
        public Unload {
            slices = List.copyOf(slices);
            columns = List.copyOf(columns);
        }
    }

    /** What one table of a load wrote. */
    record LoadedTable(String source, String destination, long rows) {
    }

    /** The value clients see as {@code connection.backend}: {@code postgresql}, {@code duckdb}, {@code trino}. */
    String name();

    /**
     * Creates workspace {@code id}, empty, with a new login. Replaces what a create of the same id left behind (its
     * objects and login), so a create retried after a crash cannot fail on its own leftovers.
     */
    Login create(long id, Options options);

    /** Gives workspace {@code id}'s login a new password and returns it; the old password stops working at once. */
    String resetPassword(long id);

    /**
     * Removes workspace {@code id} with everything in it, and its login: afterwards the old credentials cannot
     * connect. Nothing happens when it does not exist.
     */
    void drop(long id);

    /**
     * Copies Storage tables into workspace {@code id} as tables of text columns ({@code _timestamp}, when asked for,
     * as the engine's timestamp type). Without {@code preserve} the workspace is emptied first — every object in it,
     * whoever made it. With {@code preserve} an existing destination fails the load unless its table asks to
     * {@code overwrite} it. Rows are copied, never exposed as a view of Storage's table: the workspace login gets no
     * way to Storage's rows beyond the copy. Each destination appears whole or not at all; a backend that can make the
     * whole load one transaction says so.
     */
    List<LoadedTable> load(long id, boolean preserve, List<LoadTable> tables, JobProgress progress);

    /**
     * The columns of table {@code object} in workspace {@code id}, in order, as the engine names them
     * ({@code storage.workspaces.tableNotFound} when there is no such table or view).
     */
    List<String> columns(long id, String object);

    /**
     * Writes {@code columns} (as {@link #columns} names them; the caller checked they exist) of workspace table
     * {@code object} as CSV slices into {@code outputDir}, in the format of {@link TableBackend#export}: no header,
     * every value quoted, LF line ends, UTF-8; each value as the engine renders it as text, NULL as an empty string.
     * The rows are read with the rights of the workspace's own login (so a view or function a component left in the
     * workspace cannot make Granary read what the login cannot) and as of one moment.
     */
    Unload export(long id, String object, List<String> columns, Path outputDir);

    @Override
    void close();
}
