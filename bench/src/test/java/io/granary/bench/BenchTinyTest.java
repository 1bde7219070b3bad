package io.granary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench/run all --scale tiny} end to end: every default scenario runs, against DuckDB and PostgreSQL (the
 * Trino ones are left out: a Trino start alone takes 20–30 s, minutes on a loaded machine), and the
 * results have positive times and server memory. No timing is asserted: the numbers of a tiny run on a CI
 * machine say nothing.
 */
class BenchTinyTest {

    @Test
    void tinyRunMeasuresEveryScenario() throws Exception {
        // target/ keeps the class-data sharing archive of the server between builds
        Path work = Path.of("target", "bench-tiny");
        Path out = work.resolve("results");
        BenchConfig config = BenchConfig.parse(List.of("--scale", "tiny", "--work-dir", work.toString(),
                "--out", out.toString()));

        assertThat(Bench.run(config)).as("every scenario succeeded (see the FAILED row)").isTrue();

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(results.path("machine").path("cores").asInt()).isPositive();
        assertThat(results.path("machine").path("commit").asText()).isNotBlank();
        List<String> scenarios = new ArrayList<>();
        for (JsonNode row : results.path("rows")) {
            String scenario = row.path("scenario").asText();
            scenarios.add(scenario);
            String where = scenario + " / " + row.path("variant").asText();
            assertThat(row.path("serverPeakRssBytes").asLong()).as(where).isGreaterThan(50L << 20);
            String note = row.path("note").asText();
            if (!note.equals(UploadSpeeds.NO_AWS_CLI)) {
                assertThat(row.path("granary").asDouble()).as(where).isPositive();
            }
            if (!note.contains("has no Parquet")) {
                assertThat(row.path("raw").asDouble()).as(where).isPositive();
            }
        }
        assertThat(scenarios).containsAll(BenchConfig.DEFAULT_SCENARIOS);
        for (JsonNode m : results.path("measurements")) {
            assertThat(m.path("value").asDouble()).isPositive();
        }
        assertThat(Files.readAllLines(out.resolve("results.csv")).size()).isGreaterThan(BenchConfig.DEFAULT_SCENARIOS.size());
        assertThat(Files.readString(out.resolve("results.md"))).contains("| pg-export | Parquet")
                .contains("| import | upload CSV ").contains("| import | aws s3 cp CSV ");
    }
}
