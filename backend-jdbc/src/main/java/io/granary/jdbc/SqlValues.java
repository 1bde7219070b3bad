package io.granary.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How values enter generated SQL: as bind parameters, collected in order for {@link #bind}, or as literals,
 * for statements that take no parameters (PostgreSQL's {@code COPY}).
 */
public abstract class SqlValues {

    protected final SqlDialect dialect;

    private SqlValues(SqlDialect dialect) {
        this.dialect = dialect;
    }

    public static SqlValues parameters(SqlDialect dialect) {
        return new Parameters(dialect);
    }

    public static SqlValues literals(SqlDialect dialect) {
        return new Literals(dialect);
    }

    /** The SQL for a string value. */
    public abstract String string(String value);

    /** The SQL for a value of the {@code _timestamp} type. */
    public abstract String timestamp(Instant t);

    /** The parameters collected so far, in order (none for literals). */
    public abstract List<Object> parameters();

    /** Sets the collected parameters on {@code ps}, from index 1; returns it. */
    public PreparedStatement bind(PreparedStatement ps) throws SQLException {
        List<Object> values = parameters();
        for (int i = 0; i < values.size(); i++) {
            ps.setObject(i + 1, values.get(i));
        }
        return ps;
    }

    private static final class Parameters extends SqlValues {
        private final List<Object> values = new ArrayList<>();

        Parameters(SqlDialect dialect) {
            super(dialect);
        }

        @Override
        public String string(String value) {
            values.add(value);
            return "?";
        }

        @Override
        public String timestamp(Instant t) {
            values.add(dialect.timestampValue(t));
            return dialect.timestampParameter();
        }

        @Override
        public List<Object> parameters() {
            return List.copyOf(values);
        }
    }

    private static final class Literals extends SqlValues {
        Literals(SqlDialect dialect) {
            super(dialect);
        }

        @Override
        public String string(String value) {
            return dialect.stringLiteral(value);
        }

        @Override
        public String timestamp(Instant t) {
            return dialect.timestampLiteral(t);
        }

        @Override
        public List<Object> parameters() {
            return List.of();
        }
    }
}
