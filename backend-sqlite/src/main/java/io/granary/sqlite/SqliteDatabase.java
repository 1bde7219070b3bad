package io.granary.sqlite;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.jdbc.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.Function;
import org.sqlite.SQLiteConfig;

/**
 * One SQLite database file in WAL mode: a single writer connection, taken in turn under a lock, and a few reader
 * connections that read the last committed state while the writer writes. Commits are synchronous=NORMAL: a commit
 * survives the process being killed, and the file is never left corrupt; after a power loss the last commits
 * before it may be missing (a job then runs again, which loads are made safe for).
 */
public final class SqliteDatabase implements AutoCloseable {

    /** Work on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Session session) throws SQLException;
    }

    private static final int DEFAULT_READERS = 8;
    private static final long WAIT_SECONDS = 60;

    private final Path file;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Session writer;
    private final BlockingQueue<Session> readers;
    private final List<Session> all = new ArrayList<>();

    public SqliteDatabase(Path file) {
        this(file, DEFAULT_READERS);
    }

    public SqliteDatabase(Path file, int readerCount) {
        this.file = file;
        this.readers = new ArrayBlockingQueue<>(readerCount);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            writer = open(false);
            for (int i = 0; i < readerCount; i++) {
                readers.add(open(true));
            }
        } catch (Exception e) {
            close();
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot open the SQLite database " + file + ": " + e.getMessage(),
                    e);
        }
    }

    private Session open(boolean reader) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        if (!reader) {
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        }
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
        Function.create(c, "contains_ci", new ContainsIgnoringCase());
        Session session = new Session(c);
        all.add(session);
        return session;
    }

    public Path file() {
        return file;
    }

    /** Runs {@code work} on the writer (one statement commits on its own; several: use {@link #transaction}). */
    <T> T write(Work<T> work) {
        lockWriter();
        try {
            return work.run(writer);
        } catch (SQLException e) {
            throw Session.internal(e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code work} in one transaction on the writer; rolls back on any failure. */
    <T> T transaction(Work<T> work) {
        lockWriter();
        try {
            return Transactions.run(writer.connection(), c -> work.run(writer));
        } catch (SQLException e) {
            throw Session.internal(e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code work} on a reader: it sees what was committed before it started. */
    <T> T read(Work<T> work) {
        Session s;
        try {
            s = readers.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GranaryException(ErrorCode.INTERNAL, "Interrupted while waiting for the catalog", e);
        }
        if (s == null) {
            throw new GranaryException(ErrorCode.INTERNAL, "No catalog connection became free in " + WAIT_SECONDS + " s");
        }
        try {
            return work.run(s);
        } catch (SQLException e) {
            throw Session.internal(e);
        } finally {
            readers.add(s);
        }
    }

    private void lockWriter() {
        try {
            if (!writeLock.tryLock(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new GranaryException(ErrorCode.INTERNAL, "The catalog stayed busy for " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GranaryException(ErrorCode.INTERNAL, "Interrupted while waiting for the catalog", e);
        }
    }

    @Override
    public void close() {
        // readers first: the writer's close checkpoints the WAL into the file and removes it when it is the last
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
        all.clear();
    }

    /** {@code contains_ci(text, part)}: whether text contains part, ignoring case beyond ASCII too. */
    private static final class ContainsIgnoringCase extends Function {
        @Override
        protected void xFunc() throws SQLException {
            String text = value_text(0);
            String part = value_text(1);
            result(text != null && part != null
                    && text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT)) ? 1 : 0);
        }
    }
}
