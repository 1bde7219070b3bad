package io.granary.trino;

import static io.granary.trino.TrinoSql.id;
import static io.granary.trino.TrinoSql.literal;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.Workspace;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.util.Secrets;
import io.granary.jdbc.CsvSlices;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workspaces on Trino: per workspace a schema {@code workspace_<id>} in Granary's Iceberg catalog and a Trino user
 * {@code <catalog>_ws_<id>} with a password, both kept in the security directory Trino reads
 * ({@link TrinoAccessFiles}: Trino's file password authenticator and file-based access control, re-read without a
 * restart). The user may read and write its schema and nothing else (with {@code readOnlyStorageAccess} also read the
 * buckets' schemas); Granary's own user creates, fills and drops the schema. What a component wrote is read back with
 * Trino's impersonation as the workspace user, so a view it planted runs with that user's rights, never Granary's.
 *
 * <p>Trino takes a changed file after its refresh period, so every change waits until Trino answers accordingly: a
 * create or password reset until the new password logs in (and the user sees its schema), a drop until a probe user's
 * new password logs in (Trino then has the file without the dropped user). Trino names are lower-case: the connection
 * says {@code WORKSPACE_<id>}, which Trino resolves to {@code workspace_<id>}, and table and column names a load
 * writes are lower-cased.
 */
public final class TrinoWorkspaceBackend implements WorkspaceBackend {

    public static final String NAME = "trino";
    private static final Logger LOG = LoggerFactory.getLogger(TrinoWorkspaceBackend.class);
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private final TrinoClient client;
    private final TrinoLake lake;
    private final TrinoAccessFiles files;
    private final String host;
    private final String port;
    private final long sliceBytes;

    TrinoWorkspaceBackend(TrinoClient client, TrinoLake lake, TrinoAccessFiles files, String host, String port,
            long sliceBytes) {
        this.client = client;
        this.lake = lake;
        this.files = files;
        this.host = host;
        this.port = port;
        this.sliceBytes = sliceBytes;
    }

    @Override
    public String name() {
        return NAME;
    }

    String user(long id) {
        return lake.iceberg + "_ws_" + id;
    }

    private String probeUser() {
        return lake.iceberg + "_ws_probe";
    }

    /** The schema's Trino name (what the connection calls {@code WORKSPACE_<id>}). */
    static String schemaName(long id) {
        return Workspace.nameOf(id).toLowerCase(Locale.ROOT);
    }

    String schema(long id) {
        return id(lake.iceberg) + "." + id(schemaName(id));
    }

    // ---- create, drop, password

    @Override
    public Login create(long id, Options options) {
        String password = Secrets.random(32);
        try (Connection c = client.connect()) {
            files.remove(user(id));
            dropSchema(c, id);
            TrinoClient.execute(c, "CREATE SCHEMA " + schema(id));
        } catch (SQLException e) {
            throw engine(id, e);
        }
        files.put(user(id), password, new TrinoAccessFiles.Grant(lake.iceberg, schemaName(id),
                options.readOnlyStorageAccess()));
        awaitLogin(id, password);
        return new Login(connection(id), password);
    }

    private Map<String, String> connection(long id) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("backend", NAME);
        c.put("host", host);
        c.put("port", port);
        c.put("database", lake.iceberg);
        c.put("catalog", lake.iceberg);
        c.put("schema", Workspace.nameOf(id));
        c.put("warehouse", "");
        c.put("user", user(id));
        return c;
    }

    @Override
    public String resetPassword(long id) {
        String password = Secrets.random(32);
        if (!files.setPassword(user(id), password)) {
            throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + id + " not found");
        }
        awaitLogin(id, password);
        return password;
    }

    @Override
    public void drop(long id) {
        boolean hadLogin = files.has(user(id));
        files.remove(user(id));
        if (hadLogin) {
            awaitProbe();
        }
        try (Connection c = client.connect()) {
            dropSchema(c, id);
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    /** Drops every table and view of the workspace's schema, then the schema; nothing when it is not there. */
    private void dropSchema(Connection c, long id) throws SQLException {
        if (!schemaExists(c, id)) {
            return;
        }
        for (Map.Entry<String, String> o : objects(c, id).entrySet()) {
            TrinoClient.execute(c, "DROP " + o.getValue() + " IF EXISTS " + schema(id) + "." + id(o.getKey()));
        }
        TrinoClient.execute(c, "DROP SCHEMA IF EXISTS " + schema(id));
    }

    boolean schemaExists(Connection c, long id) throws SQLException {
        return TrinoClient.number(c, "SELECT count(*) FROM " + id(lake.iceberg) + ".information_schema.schemata"
                + " WHERE schema_name = " + literal(schemaName(id))) > 0;
    }

    /** The workspace's tables and views by (lower-case) name, with the DROP keyword of their kind. */
    Map<String, String> objects(Connection c, long id) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (List<String> row : TrinoClient.rows(c, "SELECT table_name, table_type FROM " + id(lake.iceberg)
                + ".information_schema.tables WHERE table_schema = " + literal(schemaName(id)))) {
            out.put(row.get(0), "VIEW".equals(row.get(1)) ? "VIEW" : "TABLE");
        }
        return out;
    }

    /** Waits until {@code password} logs in as the workspace's user and the user sees its schema. */
    private void awaitLogin(long id, String password) {
        String check = "SELECT count(*) FROM " + id(lake.iceberg) + ".information_schema.schemata WHERE schema_name = "
                + literal(schemaName(id));
        await("the login of workspace " + id, () -> {
            try (Connection c = client.connect(user(id), password)) {
                return TrinoClient.number(c, check) == 1;
            }
        });
    }

    /** Waits until Trino has read the password file as last written (the probe user's new password logs in). */
    private void awaitProbe() {
        String password = Secrets.random(32);
        files.putPassword(probeUser(), password);
        await("Trino to read the changed password file", () -> {
            try (Connection c = client.connect(probeUser(), password)) {
                return TrinoClient.number(c, "SELECT 1") == 1;
            }
        });
    }

    private interface Check {
        boolean ok() throws SQLException;
    }

    private static void await(String what, Check check) {
        long t0 = System.nanoTime();
        try {
            awaitLoop(what, check);
        } finally {
            LOG.debug("waited {} ms for {}", (System.nanoTime() - t0) / 1_000_000, what);
        }
    }

    private static void awaitLoop(String what, Check check) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "Interrupted while waiting for " + what + ".");
            }
        }
        throw new GranaryException(ErrorCode.INTERNAL, "Trino did not take " + what + " within " + SETTLE.toSeconds()
                + " s: does it read the security directory (--trino-security-dir) with a refresh period?"
                + (last == null ? "" : " Last answer: " + TrinoClient.engine(last).getMessage()));
    }

    // ---- loads

    @Override
    public List<LoadedTable> load(long id, boolean preserve, List<LoadTable> tables, JobProgress progress) {
        try (Connection c = client.connect()) {
            if (!schemaExists(c, id)) {
                throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + id + " not found");
            }
            return new TrinoWorkspaceLoad(c, lake, this, id).run(preserve, tables, progress);
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    // ---- reads

    @Override
    public List<String> columns(long id, String object) {
        try (Connection c = client.connect()) {
            return relation(c, id, object).columns();
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    /** A workspace table or view as Trino names it, with its columns in order. */
    record Relation(String name, List<String> columns) {
    }

    Relation relation(Connection c, long id, String object) throws SQLException {
        String name = object.toLowerCase(Locale.ROOT);
        List<String> columns = new ArrayList<>();
        for (List<String> row : TrinoClient.rows(c, "SELECT column_name FROM " + id(lake.iceberg)
                + ".information_schema.columns WHERE table_schema = " + literal(schemaName(id)) + " AND table_name = "
                + literal(name) + " ORDER BY ordinal_position")) {
            columns.add(row.get(0));
        }
        if (columns.isEmpty()) {
            if (!schemaExists(c, id)) {
                throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + id + " not found");
            }
            throw new GranaryException(ErrorCode.WORKSPACE_TABLE_NOT_FOUND, "Table \"" + object + "\" not found in schema \""
                    + Workspace.nameOf(id) + "\"");
        }
        return new Relation(name, columns);
    }

    @Override
    public Unload export(long id, String object, List<String> columns, Path outputDir) {
        Relation relation;
        try (Connection c = client.connect()) {
            relation = relation(c, id, object);
        } catch (SQLException e) {
            throw engine(id, e);
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("CAST(").append(id(columns.get(i).toLowerCase(Locale.ROOT)))
                    .append(" AS varchar)");
        }
        sql.append(" FROM ").append(schema(id)).append('.').append(id(relation.name()));
        // one query reads one snapshot of each table; as the workspace's user, with its rights only
        try (Connection c = client.connectAs(user(id)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql.toString())) {
            CsvSlices.Written w = CsvSlices.write(rs, columns.size(), outputDir, sliceBytes);
            return new Unload(w.slices(), w.rows(), List.copyOf(columns));
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    static GranaryException engine(long id, SQLException e) {
        GranaryException g = TrinoClient.engine(e);
        String m = g.getMessage().substring("Table storage error (Trino): ".length());
        // what the workspace's own user may not do is the component's doing, not Granary's
        ErrorCode code = e.getErrorCode() == TrinoClient.PERMISSION_DENIED ? ErrorCode.WORKSPACES_VALIDATION
                : ErrorCode.INTERNAL;
        return new GranaryException(code, "Workspace " + id + ": " + m, e);
    }

    @Override
    public void close() {
        // nothing of its own: connections are per call
    }

    static void logIgnored(String what, Exception e) {
        LOG.warn("{}: {}", what, e.toString());
    }
}
