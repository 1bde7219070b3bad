package io.granary.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run all [options]}: generates the data, runs every scenario through Granary and through the
 * raw engine on the same files in the same run, prints one table of medians, ratios and the Granary
 * server's peak memory, and writes it as {@code results.json}, {@code results.csv} and {@code results.md}.
 * {@code bench/run import} and {@code pg-import} run one scenario; {@code bench/run generate FILE SIZE_MB}
 * writes the scenarios' CSV for measuring other tools on it. See {@link BenchConfig#USAGE}.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.err.println(BenchConfig.USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        if (args[0].equals("generate")) {
            if (args.length != 3) {
                System.err.println(BenchConfig.USAGE);
                System.exit(2);
            }
            System.out.println(CsvGenerator.write(Path.of(args[1]), Long.parseLong(args[2]) << 20));
            return;
        }
        List<String> options = new ArrayList<>(List.of(args).subList(1, args.length));
        switch (args[0]) {
            case "all" -> { }
            case "import", "pg-import", "trino-import" -> {
                options.add(0, args[0]);
                options.add(0, "--only");
            }
            default -> {
                System.err.println("unknown command " + args[0] + "\n" + BenchConfig.USAGE);
                System.exit(2);
            }
        }
        BenchConfig config;
        try {
            config = BenchConfig.parse(options);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + BenchConfig.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(config) ? 0 : 1);
    }

    /** Runs the configured scenarios and writes the report; false when a scenario failed (its row says so). */
    static boolean run(BenchConfig config) throws Exception {
        long t0 = System.nanoTime();
        Map<String, Object> machine = Report.machine(config.serverHeap(), ServerUnderTest.WORKERS,
                config.duckDbMemory());
        Log.info("bench %s: %s; machine %s", config.scale(), config, machine);
        Measurements results = new Measurements();
        boolean ok = true;
        try (BenchContext ctx = new BenchContext(config, results)) {
            ok = runScenarios(ctx, machine, t0);
        }
        Report.write(config.outDir(), machine, config, results, Timer.since(t0), true);
        return ok;
    }

    private static boolean runScenarios(BenchContext ctx, Map<String, Object> machine, long t0) throws Exception {
        boolean ok = true;
        for (Scenario scenario : scenarios()) {
            if (!ctx.config.runs(scenario.name())) {
                continue;
            }
            long s0 = System.nanoTime();
            Log.info("== %s", scenario.name());
            try {
                scenario.run(ctx);
            } catch (Exception | AssertionError e) {
                ok = false;
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                Log.info("%s FAILED: %s", scenario.name(), trace);
                ctx.results.row(new Measurements.Row(scenario.name(), "FAILED", "", null, null, null, String.valueOf(e)));
                ctx.cleanScratch();
            }
            Log.info("== %s done in %.1f s", scenario.name(), Timer.since(s0));
            // what is measured so far survives an interrupted run
            Report.write(ctx.config.outDir(), machine, ctx.config, ctx.results, Timer.since(t0), false);
        }
        return ok;
    }

    static List<Scenario> scenarios() {
        return List.of(new ImportScenario(Backend.DUCKDB), new UpsertScenario(Backend.DUCKDB),
                new ExportScenario(Backend.DUCKDB), new LatencyScenario(), new ThroughputScenario(),
                new ImportScenario(Backend.POSTGRES), new UpsertScenario(Backend.POSTGRES),
                new ExportScenario(Backend.POSTGRES), new WorkspaceLoadScenario(), new ImportScenario(Backend.TRINO),
                new UpsertScenario(Backend.TRINO), new ExportScenario(Backend.TRINO));
    }
}
