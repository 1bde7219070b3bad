package io.granary.postgres;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.jdbc.Transactions;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * JDBC on the shared pool: each call borrows a connection and gives it back. Binds {@link Instant}
 * as {@code TIMESTAMPTZ} and {@code List<String>} as {@code TEXT[]}; wraps errors as internal errors.
 */
final class Jdbc {

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final PostgresDatabase database;

    Jdbc(PostgresDatabase database) {
        this.database = database;
    }

    int update(String sql, Object... args) {
        return withConnection(c -> update(c, sql, args));
    }

    <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return withConnection(c -> query(c, sql, mapper, args));
    }

    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        return withConnection(c -> queryOne(c, sql, mapper, args));
    }

    <T> T withConnection(Work<T> work) {
        try (Connection c = database.connect()) {
            return work.run(c);
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    /** Runs work in one transaction on one connection; rolls back on any failure. */
    <T> T inTransaction(Work<T> work) {
        return withConnection(c -> Transactions.run(c, work::run));
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        }
    }

    static <T> Optional<T> queryOne(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        List<T> rows = query(c, sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static List<String> textList(ResultSet rs, String column) throws SQLException {
        Array a = rs.getArray(column);
        try {
            return List.copyOf(Arrays.asList((String[]) a.getArray()));
        } finally {
            a.free();
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                bind(c, ps, i + 1, args[i]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private static void bind(Connection c, PreparedStatement ps, int index, Object a) throws SQLException {
        if (a == null) {
            // untyped: the server infers the type from where the parameter is used
            ps.setNull(index, Types.NULL);
        } else if (a instanceof Instant t) {
            // milliseconds, as the embedded catalog keeps them, so both modes give back the same instants
            ps.setObject(index, OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC));
        } else if (a instanceof List<?> values) {
            ps.setArray(index, c.createArrayOf("text", values.toArray()));
        } else {
            ps.setObject(index, a);
        }
    }

    private static GranaryException internal(SQLException e) {
        return new GranaryException(ErrorCode.INTERNAL, "PostgreSQL error: " + e.getMessage(), e);
    }
}
