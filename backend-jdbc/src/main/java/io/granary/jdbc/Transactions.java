package io.granary.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** One transaction on one connection, the same way in every SQL adapter. */
public final class Transactions {

    /** Work done inside the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in one transaction on {@code c} and commits; on any failure rolls back (a failing
     * rollback is added to the failure as suppressed) and rethrows. Auto-commit is back on afterwards; on a
     * dead connection that fails too, which is left to its pool to notice.
     */
    public static <T> T run(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the original outcome is what the caller needs to see
            }
        }
    }
}
