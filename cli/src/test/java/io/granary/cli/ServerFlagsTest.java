package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code granary server} refuses bad flags with one line naming the problem, exit 2, before it creates anything. */
class ServerFlagsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--duckdb-memory | lots | --duckdb-memory: \"lots\" is not a size; use e.g. 64MB or 1GB.",
        "--duckdb-memory | 64MiB | The DuckDB memory limit must be at least 128MiB.",
        "--catalog | mysql | Unknown storage kind \"mysql\": use sqlite or postgres.",
        "--catalog | duckdb | The embedded catalog is on SQLite now: use --catalog sqlite (the default); a catalog.duckdb in the data directory is migrated on the first start.",
        "--backend | hive | Unknown storage kind \"hive\": use duckdb, postgres or trino.",
        "--backend | postgres | --catalog postgres and --backend postgres need --postgres-url.",
        "--job-lease | 0 | The job lease must be at least 1 second.",
        "--shutdown-grace | -1 | --shutdown-grace: seconds cannot be negative.",
        "--max-upload-size | lots | --max-upload-size: \"lots\" is not a size; use e.g. 64MB or 1GB.",
        "--max-upload-size | 0 | --max-upload-size: the limit must be at least 1 byte.",
        "--log-format | xml | Unknown log format \"xml\": use text or json.",
    })
    void badFlagIsRefusedAndNothingIsCreated(String flag, String value, String message) {
        Path dataDir = tmp.resolve("data");
        List<String> args = new ArrayList<>(List.of("server", "--data-dir", dataDir.toString(), "--port", "0",
                "--s3-port", "0", flag, value));
        CliRun run = CliRun.run(null, null, args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("granary: " + message);
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void helpListsTheFlagsEveryInstalledStoreBrings() {
        CliRun run = CliRun.run(null, null, "server", "--help");
        assertThat(run.exitCode()).as(run.err()).isZero();
        String help = run.out().replaceAll("\\s+", " ");
        assertThat(help).contains("--postgres-url=<postgres-url>")
                .contains("JDBC URL of the PostgreSQL database").contains("(env GRANARY_POSTGRES_URL).")
                .contains("--postgres-user=<postgres-user>").contains("PostgreSQL user (env GRANARY_POSTGRES_USER; default granary).")
                .contains("--postgres-password=<postgres-password>").contains("prefer the env GRANARY_POSTGRES_PASSWORD")
                .contains("Where table rows live: duckdb, postgres or trino (env GRANARY_BACKEND; default duckdb).")
                .contains("Where tokens, buckets, files and jobs are recorded: sqlite or postgres;");
    }

    @Test
    void duckDbMemoryTakesTheUsualSizeSpellings() {
        for (String size : List.of("512MiB", "512MB", "512m", "512 mib")) {
            assertThat(Sizes.parse(size)).as(size).isEqualTo(512L << 20);
        }
        for (String size : List.of("2GiB", "2GB", "2g")) {
            assertThat(Sizes.parse(size)).as(size).isEqualTo(2L << 30);
        }
    }
}
