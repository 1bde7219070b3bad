package io.granary.trino;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * JDBC connections to the Trino coordinator, as the configured user. Trino's JDBC connections are cheap
 * (HTTP requests on a shared client), so each call opens its own. A connection may carry a {@code source}:
 * a retried load names its attempts so that it can find and kill an earlier attempt's queries.
 */
final class TrinoClient {

    // Trino's standard error codes (io.trino.spi.StandardErrorCode) that Granary tells apart
    static final int CATALOG_NOT_FOUND = 44;
    static final int PERMISSION_DENIED = 4;
    static final int SCHEMA_NOT_FOUND = 45;
    static final int TABLE_NOT_FOUND = 46;
    static final int COLUMN_NOT_FOUND = 47;
    static final int SCHEMA_ALREADY_EXISTS = 49;
    static final int TABLE_ALREADY_EXISTS = 50;
    static final int COLUMN_ALREADY_EXISTS = 51;

    private final TrinoSettings.Config config;

    TrinoClient(TrinoSettings.Config config) {
        this.config = config;
    }

    /** A new connection; the caller closes it. */
    Connection connect() throws SQLException {
        return connect(null);
    }

    /** A new connection whose queries carry {@code source} (null: Granary's default). */
    Connection connect(String source) throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), properties(config.user(), config.password(),
                source != null ? source : "granary"));
    }

    /**
     * A connection authenticated as Granary's user whose queries run as {@code user} (Trino's impersonation, which the
     * access rules allow Granary for workspace users only): they have that user's rights and no more.
     */
    Connection connectAs(String user) throws SQLException {
        Properties p = properties(config.user(), config.password(), "granary");
        p.setProperty("sessionUser", user);
        return DriverManager.getConnection(config.jdbcUrl(), p);
    }

    /** A connection as {@code user} with {@code password}, as a client of a workspace connects. */
    Connection connect(String user, String password) throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), properties(user, password, "granary"));
    }

    private Properties properties(String user, String password, String source) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        if (config.https()) {
            p.setProperty("SSL", "true");
            if (config.tlsCert() != null) {
                p.setProperty("SSLTrustStorePath", config.tlsCert().toString());
            }
        }
        p.setProperty("source", source);
        return p;
    }

    TrinoSettings.Config config() {
        return config;
    }

    /** Runs statements that return no rows. */
    static void execute(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** The rows of a query, every value as a string (SQL NULL as null). */
    static List<List<String>> rows(Connection c, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<String> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    row.add(r.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    /** The one number a query returns. */
    static long number(Connection c, String sql) throws SQLException {
        List<List<String>> rows = rows(c, sql);
        String v = rows.isEmpty() || rows.get(0).isEmpty() ? null : rows.get(0).get(0);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** An internal error that names what Trino said, without the query's SQL or id. */
    static GranaryException engine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        // "Query failed (#20240101_000000_00000_xxxxx): line 1:1: ..." -> what went wrong
        m = m.replaceFirst("^Query failed \\(#[^)]*\\): ", "").replaceFirst("^line \\d+:\\d+: ", "");
        int nl = m.indexOf('\n');
        return new GranaryException(ErrorCode.INTERNAL, "Table storage error (Trino): " + (nl < 0 ? m : m.substring(0, nl)), e);
    }
}
