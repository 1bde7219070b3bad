package io.granary.sqlite;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One SQLite connection with its prepared statements, used by one thread at a time ({@link SqliteDatabase} hands
 * it out). A statement is prepared the first time its SQL is seen and reused after: parsing and planning cost more
 * than running most catalog statements.
 */
final class Session implements AutoCloseable {

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    // dynamic SQL (file lists with n tags) could grow the cache without end: the least recently used go
    private static final int MAX_STATEMENTS = 64;

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= MAX_STATEMENTS) {
                return false;
            }
            closeQuietly(eldest.getValue());
            return true;
        }
    };

    Session(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    void execute(String... sql) {
        try (Statement s = connection.createStatement()) {
            for (String one : sql) {
                s.execute(one);
            }
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    int update(String sql, Object... args) {
        try {
            return prepare(sql, args).executeUpdate();
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (ResultSet rs = prepare(sql, args).executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        try (ResultSet rs = prepare(sql, args).executeQuery()) {
            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    /** The next value of a sequence of {@code SqliteSchema}: never handed out twice, even after a delete. */
    long nextId(String sequence) {
        return queryOne("UPDATE sequences SET value = value + 1 WHERE name = ? RETURNING value", rs -> rs.getLong(1),
                sequence).orElseThrow(() -> new GranaryException(ErrorCode.INTERNAL, "No sequence " + sequence));
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (a instanceof Instant t) {
                ps.setLong(i + 1, t.toEpochMilli());
            } else if (a instanceof Boolean b) {
                ps.setInt(i + 1, b ? 1 : 0);
            } else {
                ps.setObject(i + 1, a);
            }
        }
        return ps;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static GranaryException internal(SQLException e) {
        return new GranaryException(ErrorCode.INTERNAL, "Catalog database error: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        statements.values().forEach(Session::closeQuietly);
        statements.clear();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // best effort at shutdown
        }
    }

    private static void closeQuietly(Statement s) {
        try {
            s.close();
        } catch (SQLException ignored) {
            // a statement that cannot close is gone with its connection
        }
    }
}
