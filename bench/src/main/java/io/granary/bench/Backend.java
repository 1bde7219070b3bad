package io.granary.bench;

import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import java.nio.file.Path;
import java.util.List;

/**
 * Where Granary keeps table rows, and the same engine used raw. PostgreSQL is the embedded server of the
 * PostgreSQL test jar (binaries from Maven Central; fsync and synchronous commit off): Granary and the raw
 * baseline each get a fresh database on that one server. Trino is one local single-node Trino per bench run
 * ({@link BenchTrino}), shared by Granary's servers and the raw baseline, each with catalogs of its own.
 */
enum Backend {
    DUCKDB("", "DuckDB"),
    POSTGRES("pg-", "PostgreSQL"),
    TRINO("trino-", "Trino");

    private final String prefix;
    private final String label;

    Backend(String prefix, String label) {
        this.prefix = prefix;
        this.label = label;
    }

    /** The scenario's name for this backend: {@code import}, {@code pg-import} or {@code trino-import}. */
    String scenario(String base) {
        return prefix + base;
    }

    String label() {
        return label;
    }

    /** The CSV sizes of this backend's import and export scenarios. */
    List<Long> sizesMb(BenchConfig c) {
        return switch (this) {
            case DUCKDB -> c.sizesMb();
            case POSTGRES -> c.pgSizesMb();
            case TRINO -> c.trinoSizesMb();
        };
    }

    /** Rows of the table this backend's upsert scenario starts from. */
    long upsertRows(BenchConfig c) {
        return switch (this) {
            case DUCKDB -> c.upsertRows();
            case POSTGRES -> c.pgUpsertRows();
            case TRINO -> c.trinoUpsertRows();
        };
    }

    /** Rows of each increment of this backend's upsert scenario. */
    long incrementRows(BenchConfig c) {
        return switch (this) {
            case DUCKDB -> c.incrementRows();
            case POSTGRES -> c.pgIncrementRows();
            case TRINO -> c.trinoIncrementRows();
        };
    }

    RawEngine raw(BenchContext ctx, Path dir) throws Exception {
        return switch (this) {
            case DUCKDB -> new RawDuckDb(dir.resolve("raw.duckdb"));
            case POSTGRES -> new RawPostgres(TestPostgres.newDatabase());
            case TRINO -> new RawTrino(ctx.trino(), dir);
        };
    }

    /** {@code granary server} options that put the catalog, the job queue and the tables on this backend. */
    List<String> serverArgs(BenchContext ctx) {
        if (this == DUCKDB) {
            return List.of();
        }
        PostgresConfig db = TestPostgres.newDatabase();
        List<String> pg = List.of("--catalog", "postgres", "--postgres-url", db.url(), "--postgres-user", db.user());
        if (this == POSTGRES) {
            return concat(pg, List.of("--backend", "postgres"));
        }
        // a catalog reaches one database and one S3 endpoint: every server gets its own on the shared Trino
        return concat(pg, List.of("--backend", "trino", "--trino-url", ctx.trino().url().toString(),
                "--trino-catalog", ctx.trino().newCatalogName("granary"), "--trino-maintenance-interval", "0"));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
