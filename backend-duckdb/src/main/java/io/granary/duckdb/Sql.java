package io.granary.duckdb;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.jdbc.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small JDBC helpers shared by the DuckDB adapters: binding, mapping rows, wrapping errors. */
final class Sql {

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    private Sql() {
    }

    static void execute(Connection c, String... statements) {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    static int update(Connection c, String sql, Object... args) {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw internal(e);
        }
    }

    static <T> Optional<T> queryOne(Connection c, String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(c, sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static long nextval(Connection c, String sequence) {
        return queryOne(c, "SELECT nextval('" + sequence + "')", rs -> rs.getLong(1)).orElseThrow();
    }

    /** Runs work in one transaction; rolls back on any failure. */
    static <T> T inTransaction(Connection c, Work<T> work) {
        try {
            return Transactions.run(c, conn -> work.run());
        } catch (SQLException e) {
            throw internal(e);
        }
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

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else if (a instanceof Instant t) {
                ps.setLong(i + 1, t.toEpochMilli());
            } else {
                ps.setObject(i + 1, a);
            }
        }
        return ps;
    }
}
