package io.granary.bench;

import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import java.nio.file.Path;
import java.util.List;

/**
 * Where Granary keeps table rows, and the same engine used raw. PostgreSQL is the embedded server of the
 * PostgreSQL test jar (binaries from Maven Central; fsync and synchronous commit off): Granary and the raw
 * baseline each get a fresh database on that one server.
 */
enum Backend {
    DUCKDB("", "DuckDB"),
    POSTGRES("pg-", "PostgreSQL");

    private final String prefix;
    private final String label;

    Backend(String prefix, String label) {
        this.prefix = prefix;
        this.label = label;
    }

    /** The scenario's name for this backend: {@code import} or {@code pg-import}. */
    String scenario(String base) {
        return prefix + base;
    }

    String label() {
        return label;
    }

    RawEngine raw(Path dir) throws Exception {
        return this == DUCKDB ? new RawDuckDb(dir.resolve("raw.duckdb")) : new RawPostgres(TestPostgres.newDatabase());
    }

    /** {@code granary server} options that put the catalog, the job queue and the tables on this backend. */
    List<String> serverArgs() {
        if (this == DUCKDB) {
            return List.of();
        }
        PostgresConfig db = TestPostgres.newDatabase();
        return List.of("--catalog", "postgres", "--backend", "postgres", "--postgres-url", db.url(),
                "--postgres-user", db.user());
    }
}
