package io.granary.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one {@code bench/run all} measures: a scale preset ({@code tiny}, {@code default}, {@code large})
 * with any of its sizes overridden by options.
 *
 * @param sizesMb         CSV sizes of the import and export scenarios (each size is a separate measurement)
 * @param pgSizesMb       the same for the PostgreSQL scenarios
 * @param upsertRows      rows of the table the upsert scenario starts from
 * @param incrementRows   rows of each increment (half of them existing keys)
 * @param pgUpsertRows    the same for PostgreSQL
 * @param pgIncrementRows the same for PostgreSQL
 * @param trinoSizesMb    CSV sizes of the Trino import and export scenarios (smaller by default: Trino's
 *                        statements are slower on 2 cores, and it shares them with Granary)
 * @param trinoUpsertRows the upsert scenario's base rows on Trino
 * @param trinoIncrementRows the same for its increments
 * @param runs            repetitions of each timed import, upsert and export (medians are reported)
 * @param latencyRuns     sequential 1 KB imports of the latency scenario
 * @param clients         concurrent clients of the throughput scenario
 * @param filesPerClient  imports each client runs
 * @param tables          tables the clients import into
 * @param slices          slices of the sliced-input variant
 * @param serverHeap      {@code -Xmx} of the Granary server process
 * @param duckDbMemory    the server's {@code --duckdb-memory} (null = its default)
 * @param sharedServer    one server per backend for all scenarios instead of a fresh one each (tiny: start-up
 *                        would dominate); peak memory is still reset before each variant
 */
record BenchConfig(
        String scale,
        List<Long> sizesMb,
        List<Long> pgSizesMb,
        long upsertRows,
        long incrementRows,
        long pgUpsertRows,
        long pgIncrementRows,
        List<Long> trinoSizesMb,
        long trinoUpsertRows,
        long trinoIncrementRows,
        int runs,
        int latencyRuns,
        int clients,
        int filesPerClient,
        int tables,
        int slices,
        String serverHeap,
        String duckDbMemory,
        boolean sharedServer,
        Path workDir,
        Path outDir,
        Set<String> only) {

    /** Every scenario, in the order they run. */
    static final List<String> SCENARIOS = List.of("import", "upsert", "export", "latency", "throughput", "pg-import",
            "pg-upsert", "pg-export", "pg-workspace-load", "trino-import", "trino-upsert", "trino-export");

    /**
     * What {@code bench/run all} runs without {@code --only}: every scenario but the Trino ones, which need a
     * local Trino (20–30 s to start, 2 GiB) and add minutes even at small sizes on 2 cores.
     */
    static final List<String> DEFAULT_SCENARIOS = SCENARIOS.stream().filter(s -> !s.startsWith("trino-")).toList();

    static final String USAGE = """
            usage: bench/run all [--scale tiny|default|large] [--size-mb N[,N…]] [--pg-size-mb N[,N…]]
                                 [--trino-size-mb N[,N…]] [--upsert-rows N] [--increment-rows N]
                                 [--pg-upsert-rows N] [--pg-increment-rows N] [--trino-upsert-rows N] [--trino-increment-rows N]
                                 [--runs N] [--latency-runs N] [--clients N] [--files-per-client N] [--tables N]
                                 [--server-heap SIZE] [--duckdb-memory SIZE] [--shared-server true|false] [--work-dir DIR] [--out DIR]
                                 [--only scenario,…]
                   bench/run import|pg-import|trino-import [same options]   (= all --only import / …)
                   bench/run generate FILE SIZE_MB               (the scenarios' CSV, for other tools)
            scenarios: """ + String.join(", ", SCENARIOS) + "\n(all without --only runs every one but the trino-* ones)";

    static BenchConfig preset(String scale) {
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "granary-bench");
        Set<String> all = ordered(DEFAULT_SCENARIOS);
        Path out = Path.of("bench-results");
        // default fits about 10 minutes on 2 cores; large is the full sizes and the memory-flatness check
        return switch (scale) {
            case "tiny" -> new BenchConfig(scale, List.of(2L), List.of(2L), 20_000, 2_000, 20_000, 2_000,
                    List.of(2L), 20_000, 2_000, 1, 10, 10, 2,
                    10, 16, "2g", null, true, work, out, all);
            case "default" -> new BenchConfig(scale, List.of(256L), List.of(128L), 1_000_000, 100_000, 500_000, 50_000,
                    List.of(64L), 500_000, 50_000, 1, 200, 50, 20, 10, 16, "2g", null, false, work, out, all);
            case "large" -> new BenchConfig(scale, List.of(1024L, 4096L), List.of(1024L), 10_000_000, 1_000_000,
                    10_000_000, 1_000_000, List.of(1024L), 10_000_000, 1_000_000, 1, 200, 50, 20, 10, 16, "2g", null, false, work, out, all);
            default -> throw new IllegalArgumentException("unknown scale " + scale + " (tiny, default or large)");
        };
    }

    /** Parses the options after the command word. */
    static BenchConfig parse(List<String> args) {
        String scale = "default";
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("--scale")) {
                scale = args.get(i + 1);
            }
        }
        BenchConfig c = preset(scale);
        List<Long> sizes = c.sizesMb;
        List<Long> pgSizes = c.pgSizesMb;
        long upsertRows = c.upsertRows;
        long incrementRows = c.incrementRows;
        long pgUpsertRows = c.pgUpsertRows;
        long pgIncrementRows = c.pgIncrementRows;
        List<Long> trinoSizes = c.trinoSizesMb;
        long trinoUpsertRows = c.trinoUpsertRows;
        long trinoIncrementRows = c.trinoIncrementRows;
        int runs = c.runs;
        int latencyRuns = c.latencyRuns;
        int clients = c.clients;
        int filesPerClient = c.filesPerClient;
        int tables = c.tables;
        String heap = c.serverHeap;
        String duckDbMemory = c.duckDbMemory;
        boolean sharedServer = c.sharedServer;
        Path work = c.workDir;
        Path out = c.outDir;
        Set<String> only = c.only;
        for (int i = 0; i < args.size(); i += 2) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String v = args.get(i + 1);
            switch (option) {
                case "--scale" -> { }
                case "--size-mb" -> sizes = longs(v);
                case "--pg-size-mb" -> pgSizes = longs(v);
                case "--upsert-rows" -> upsertRows = Long.parseLong(v);
                case "--increment-rows" -> incrementRows = Long.parseLong(v);
                case "--pg-upsert-rows" -> pgUpsertRows = Long.parseLong(v);
                case "--pg-increment-rows" -> pgIncrementRows = Long.parseLong(v);
                case "--trino-size-mb" -> trinoSizes = longs(v);
                case "--trino-upsert-rows" -> trinoUpsertRows = Long.parseLong(v);
                case "--trino-increment-rows" -> trinoIncrementRows = Long.parseLong(v);
                case "--runs" -> runs = positive(option, v);
                case "--latency-runs" -> latencyRuns = positive(option, v);
                case "--clients" -> clients = positive(option, v);
                case "--files-per-client" -> filesPerClient = positive(option, v);
                case "--tables" -> tables = positive(option, v);
                case "--server-heap" -> heap = v;
                case "--duckdb-memory" -> duckDbMemory = v;
                case "--shared-server" -> sharedServer = Boolean.parseBoolean(v);
                case "--work-dir" -> work = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--only" -> only = scenarios(v);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new BenchConfig(scale, sizes, pgSizes, upsertRows, incrementRows, pgUpsertRows, pgIncrementRows, trinoSizes,
                trinoUpsertRows, trinoIncrementRows, runs, latencyRuns, clients, filesPerClient, tables, c.slices, heap,
                duckDbMemory, sharedServer, work, out, only);
    }

    boolean runs(String scenario) {
        return only.contains(scenario);
    }

    private static List<Long> longs(String v) {
        List<Long> out = new ArrayList<>();
        for (String part : v.split(",")) {
            long n = Long.parseLong(part.strip());
            if (n <= 0) {
                throw new IllegalArgumentException("sizes must be positive: " + v);
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    private static int positive(String option, String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return n;
    }

    private static Set<String> scenarios(String v) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : v.split(",")) {
            String s = part.strip();
            if (!SCENARIOS.contains(s)) {
                throw new IllegalArgumentException("unknown scenario " + s + "; known: " + String.join(", ", SCENARIOS));
            }
            out.add(s);
        }
        return ordered(List.copyOf(out));
    }

    private static Set<String> ordered(List<String> names) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(names));
    }
}
