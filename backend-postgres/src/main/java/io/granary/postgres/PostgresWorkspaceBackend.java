package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.Workspace;
import io.granary.core.port.WorkspaceBackend;
import io.granary.core.util.Secrets;
import io.granary.jdbc.Transactions;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * Workspaces in the PostgreSQL database of the tables: per workspace a schema {@code "WORKSPACE_<id>"} and a login role
 * {@code granary_<database oid>_ws_<id>} that owns it, with {@code search_path} set to it. The role has no other
 * privilege: it is not a superuser, cannot create roles or databases, has no {@code CREATE} on the database and no
 * {@code USAGE} on Storage's schemas, another workspace's or the catalog's tables (PostgreSQL shows every role the
 * names in its catalogs, never the rows). With {@code readOnlyStorageAccess} it is also a member of
 * {@code granary_<oid>_storage_reader}, which may read every bucket's tables (now and later) and nothing else. Every
 * role is a member of {@code granary_<oid>_workspaces}, a group without privileges that {@code pg_hba.conf} can name
 * (e.g. to refuse workspace logins to other databases of the cluster, which PostgreSQL lets every role connect to
 * unless told otherwise).
 *
 * <p>Passwords are 32 random characters, set as a SCRAM-SHA-256 verifier computed here, so no statement (and no
 * server log) ever carries one in clear. Creation, loads and removal are each one transaction; a load copies rows
 * with {@code INSERT … SELECT} inside the database (nothing leaves PostgreSQL). What a component wrote is read back
 * with {@code SET LOCAL ROLE} to the workspace's role: a view or function it planted runs with that role's rights,
 * never Granary's.
 */
public final class PostgresWorkspaceBackend implements WorkspaceBackend {

    public static final String NAME = "postgresql";
    /** Another of a workspace role's connections is refused past this, so one login cannot take the server's. */
    static final int CONNECTION_LIMIT = 10;
    // first key of the advisory lock that serialises role changes (roles are shared by the whole cluster)
    private static final int ROLE_LOCK = 0x726f6c65;

    private final PostgresDatabase database;
    private final String host;
    private final String port;
    private final String databaseName;
    private final String prefix;
    private final long sliceBytes;

    /**
     * @param host what clients are told to connect to
     * @param port likewise
     */
    public PostgresWorkspaceBackend(PostgresDatabase database, String host, String port, long sliceBytes) {
        this.database = database;
        this.host = host;
        this.port = port;
        this.sliceBytes = sliceBytes;
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database(), (SELECT oid FROM pg_database"
                        + " WHERE datname = current_database())")) {
            rs.next();
            this.databaseName = rs.getString(1);
            this.prefix = "granary_" + rs.getLong(2) + "_";
        } catch (SQLException e) {
            throw PostgresTableBackend.engine(e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    String role(long id) {
        return prefix + "ws_" + id;
    }

    String group() {
        return prefix + "workspaces";
    }

    static String schema(long id) {
        return Workspace.nameOf(id);
    }

    // ---- create, drop, password

    @Override
    public Login create(long id, Options options) {
        String password = Secrets.random(32);
        String role = role(id);
        try (Connection c = database.connect()) {
            Transactions.run(c, conn -> {
                try (Statement s = conn.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + ROLE_LOCK + ", 0)");
                    remove(conn, s, id);
                    ensureGroup(conn, s);
                    s.execute("CREATE ROLE " + q(role) + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
                            + " NOBYPASSRLS INHERIT CONNECTION LIMIT " + CONNECTION_LIMIT + " IN ROLE " + q(group()));
                    conn.unwrap(PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
                    // Granary acts for the role: it creates the role's tables, reads them as the role, drops them
                    s.execute("GRANT " + q(role) + " TO CURRENT_USER");
                    s.execute("CREATE SCHEMA " + q(schema(id)) + " AUTHORIZATION " + q(role));
                    s.execute("ALTER ROLE " + q(role) + " SET search_path = " + q(schema(id)));
                    if (ownsDatabase(conn)) {
                        s.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + q(databaseName) + " TO " + q(role));
                    }
                    if (options.readOnlyStorageAccess()) {
                        PgStorageReader.grantTo(conn, s, role);
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw engine(id, e);
        }
        return new Login(connection(id), password);
    }

    private Map<String, String> connection(long id) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("backend", NAME);
        c.put("host", host);
        c.put("port", port);
        c.put("database", databaseName);
        c.put("schema", schema(id));
        c.put("warehouse", "");
        c.put("user", role(id));
        return c;
    }

    @Override
    public String resetPassword(long id) {
        String password = Secrets.random(32);
        try (Connection c = database.connect()) {
            if (!roleExists(c, role(id))) {
                throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + id + " not found");
            }
            c.unwrap(PGConnection.class).alterUserPassword(role(id), password.toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw engine(id, e);
        }
        return password;
    }

    @Override
    public void drop(long id) {
        try (Connection c = database.connect()) {
            Transactions.run(c, conn -> {
                try (Statement s = conn.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + ROLE_LOCK + ", 0)");
                    remove(conn, s, id);
                }
                return null;
            });
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    /** Ends the role's sessions and removes its schema, its privileges and the role itself, if they exist. */
    private void remove(Connection c, Statement s, long id) throws SQLException {
        String role = role(id);
        if (roleExists(c, role)) {
            // a session kept open would outlive the role's password
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE usename = ? AND pid <> pg_backend_pid()")) {
                ps.setString(1, role);
                ps.execute();
            }
            s.execute("DROP OWNED BY " + q(role) + " CASCADE");
        }
        s.execute("DROP SCHEMA IF EXISTS " + q(schema(id)) + " CASCADE");
        s.execute("DROP ROLE IF EXISTS " + q(role));
    }

    private void ensureGroup(Connection c, Statement s) throws SQLException {
        if (!roleExists(c, group())) {
            s.execute("CREATE ROLE " + q(group()) + " NOLOGIN");
        }
    }

    static boolean roleExists(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    // without ownership (or superuser) the database's grants are not Granary's to give; PUBLIC's CONNECT then serves
    private static boolean ownsDatabase(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_has_role(d.datdba, 'USAGE')"
                + " OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) FROM pg_database d"
                + " WHERE d.datname = current_database()")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    // ---- loads

    @Override
    public List<LoadedTable> load(long id, boolean preserve, List<LoadTable> tables, JobProgress progress) {
        try (Connection c = database.connect()) {
            if (!roleExists(c, role(id))) {
                throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + id + " not found");
            }
            return Transactions.run(c, conn -> new PgWorkspaceLoad(conn, schema(id), role(id)).run(preserve, tables,
                    progress));
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    // ---- reads

    @Override
    public List<String> columns(long id, String object) {
        try (Connection c = database.connect()) {
            return relation(c, id, object).columns();
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    /** A workspace table or view as PostgreSQL spells it, with its columns in order. */
    record Relation(String name, List<String> columns) {
    }

    /** The relation named {@code object}, else the only one whose name differs just in case. */
    static Relation relation(Connection c, long id, String object) throws SQLException {
        String name = null;
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.relname, a.attname FROM pg_catalog.pg_class r"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " WHERE n.nspname = ? AND lower(r.relname) = lower(?) AND r.relkind IN ('r', 'p', 'v', 'm', 'f')"
                + " ORDER BY r.relname <> ?, r.relname, a.attnum")) {
            ps.setString(1, schema(id));
            ps.setString(2, object);
            ps.setString(3, object);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (name == null) {
                        name = rs.getString(1);
                    }
                    if (name.equals(rs.getString(1))) {
                        columns.add(rs.getString(2));
                    }
                }
            }
        }
        if (name == null) {
            throw new GranaryException(ErrorCode.WORKSPACE_TABLE_NOT_FOUND, "Table \"" + object + "\" not found in schema \""
                    + schema(id) + "\"");
        }
        return new Relation(name, columns);
    }

    @Override
    public Unload export(long id, String object, List<String> columns, Path outputDir) {
        try (Connection c = database.connect()) {
            return Transactions.run(c, conn -> {
                try (Statement s = conn.createStatement()) {
                    s.execute("SET TRANSACTION READ ONLY");
                }
                Relation relation = relation(conn, id, object);
                try (Statement s = conn.createStatement()) {
                    s.execute("SET LOCAL ROLE " + q(role(id)));
                    s.execute("SET LOCAL TimeZone = 'UTC'");
                }
                StringBuilder sql = new StringBuilder("SELECT ");
                for (int i = 0; i < columns.size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append("COALESCE((").append(q(columns.get(i))).append(")::text, '')");
                }
                sql.append(" FROM ").append(q(schema(id))).append('.').append(q(relation.name()));
                try {
                    List<Path> slices = new java.util.ArrayList<>();
                    long rows = PgCopy.export(conn, sql.toString(), outputDir, sliceBytes, slices::add);
                    return new Unload(slices, rows, List.copyOf(columns));
                } catch (IOException e) {
                    throw new GranaryException(ErrorCode.INTERNAL, "Cannot write the unload: " + e.getMessage(), e);
                }
            });
        } catch (SQLException e) {
            throw engine(id, e);
        }
    }

    static GranaryException engine(long id, SQLException e) {
        GranaryException g = PostgresTableBackend.engine(e);
        String m = g.getMessage().substring("Table storage error: ".length());
        // what the workspace's own role may not do is the component's doing, not Granary's
        ErrorCode code = "42501".equals(e.getSQLState()) ? ErrorCode.WORKSPACES_VALIDATION : ErrorCode.INTERNAL;
        return new GranaryException(code, "Workspace " + id + ": " + m, e);
    }

    @Override
    public void close() {
        // nothing of its own: connections belong to the database
    }
}
