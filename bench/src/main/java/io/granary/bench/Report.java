package io.granary.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes what a run measured: the table on stdout and as {@code results.md}, and every measurement in
 * {@code results.json} (machine, configuration, table rows, measurements) and {@code results.csv} (one row
 * per measurement, the machine's facts repeated on each, ready for plotting).
 */
final class Report {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {
    }

    /** The facts that make a result comparable: hardware, JVM, commit, when, and how busy the machine was. */
    static Map<String, Object> machine(String serverHeap, int serverWorkers, String duckDbMemory) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("ramGiB", Math.round(memTotalKb() / 1048576.0 * 10) / 10.0);
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("commit", commit());
        m.put("serverJvm", "-Xmx" + serverHeap + ", " + serverWorkers + " job workers, DuckDB memory "
                + (duckDbMemory == null ? "default" : duckDbMemory));
        m.put("loadAverageAtStart", loadAverage());
        return m;
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Writes the files; with {@code print} the table goes to stdout too (without, it is a partial result). */
    static void write(Path outDir, Map<String, Object> machine, BenchConfig config, Measurements results,
            double totalSeconds, boolean print) throws IOException {
        Files.createDirectories(outDir);
        machine = new LinkedHashMap<>(machine);
        machine.put("loadAverageAtEnd", loadAverage());
        machine.put("totalSeconds", Math.round(totalSeconds * 10) / 10.0);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("config", config(config));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Measurements.Row r : results.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("scenario", r.scenario());
            row.put("variant", r.variant());
            row.put("unit", r.unit());
            row.put("granary", r.granary());
            row.put("raw", r.raw());
            row.put("ratio", r.ratio());
            row.put("serverPeakRssBytes", r.serverPeakRssBytes());
            row.put("note", r.note());
            rows.add(row);
        }
        json.put("rows", rows);
        json.put("measurements", results.measurements());
        Files.writeString(outDir.resolve("results.json"), JSON.writeValueAsString(json));
        writeCsv(outDir.resolve("results.csv"), machine, results);
        String table = table(machine, config, results.rows());
        Files.writeString(outDir.resolve("results.md"), table);
        if (!print) {
            return;
        }
        System.out.println();
        System.out.print(table);
        System.out.println();
        System.out.println("written: " + outDir.resolve("results.json") + ", results.csv, results.md");
    }

    /** A Markdown table (readable as plain text too) with the run's conditions under it. */
    static String table(Map<String, Object> machine, BenchConfig config, List<Measurements.Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| scenario | variant | unit | Granary | raw | ratio | server peak RSS | note |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---|\n");
        for (Measurements.Row r : rows) {
            sb.append("| ").append(r.scenario()).append(" | ").append(r.variant()).append(" | ").append(r.unit())
                    .append(" | ").append(number(r.granary())).append(" | ").append(number(r.raw()))
                    .append(" | ").append(r.ratio() == null ? "–" : String.format("%.2f", r.ratio()))
                    .append(" | ").append(r.serverPeakRssBytes() == null ? "–"
                            : (r.serverPeakRssBytes() >> 20) + " MiB")
                    .append(" | ").append(r.note() == null ? "" : r.note()).append(" |\n");
        }
        sb.append("\nratio = Granary ÷ raw for times (for rates raw ÷ Granary): above 1 Granary is slower. ")
                .append("Medians of ").append(config.runs()).append(" run(s); scale ").append(config.scale())
                .append(config.sharedServer() ? "; one server per backend for all scenarios"
                        : "; a fresh server per scenario")
                .append(".\n");
        sb.append(machine.get("cores")).append(" cores (").append(machine.get("cpu")).append("), ")
                .append(machine.get("ramGiB")).append(" GiB RAM, ").append(machine.get("jvm")).append(", commit ")
                .append(machine.get("commit")).append(", ").append(machine.get("date")).append(". Server: ")
                .append(machine.get("serverJvm")).append(". Load average at start ")
                .append(machine.get("loadAverageAtStart")).append(", at end ").append(machine.get("loadAverageAtEnd"))
                .append("; total ").append(machine.get("totalSeconds")).append(" s.\n");
        return sb.toString();
    }

    private static void writeCsv(Path file, Map<String, Object> machine, Measurements results) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            out.println("scenario,variant,system,run,value,unit,detail,date,commit,cores,ram_gib,jvm,server_jvm");
            for (Measurements.Measurement m : results.measurements()) {
                out.println(String.join(",", csv(m.scenario()), csv(m.variant()), m.side().name().toLowerCase(),
                        Integer.toString(m.run()), Double.toString(m.value()), csv(m.unit()),
                        csv(JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m.detail())),
                        csv(String.valueOf(machine.get("date"))), csv(String.valueOf(machine.get("commit"))),
                        String.valueOf(machine.get("cores")), String.valueOf(machine.get("ramGiB")),
                        csv(String.valueOf(machine.get("jvm"))), csv(String.valueOf(machine.get("serverJvm")))));
            }
        }
    }

    private static Map<String, Object> config(BenchConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", c.scale());
        m.put("sizesMb", c.sizesMb());
        m.put("pgSizesMb", c.pgSizesMb());
        m.put("upsertRows", c.upsertRows());
        m.put("incrementRows", c.incrementRows());
        m.put("pgUpsertRows", c.pgUpsertRows());
        m.put("pgIncrementRows", c.pgIncrementRows());
        m.put("trinoSizesMb", c.trinoSizesMb());
        m.put("trinoUpsertRows", c.trinoUpsertRows());
        m.put("trinoIncrementRows", c.trinoIncrementRows());
        m.put("runs", c.runs());
        m.put("latencyRuns", c.latencyRuns());
        m.put("clients", c.clients());
        m.put("filesPerClient", c.filesPerClient());
        m.put("tables", c.tables());
        m.put("slices", c.slices());
        m.put("serverHeap", c.serverHeap());
        m.put("duckDbMemory", c.duckDbMemory() == null ? "server default" : c.duckDbMemory());
        m.put("sharedServer", c.sharedServer());
        m.put("scenarios", BenchConfig.SCENARIOS.stream().filter(c::runs).toList());
        return m;
    }

    private static String number(Double v) {
        if (v == null) {
            return "–";
        }
        return Math.abs(v) >= 100 ? String.format("%.0f", v) : Math.abs(v) >= 10 ? String.format("%.1f", v)
                : String.format("%.2f", v);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static long memTotalKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return 0;
    }

    // the repository is where bench/run says it is; the commit marks uncommitted changes, which the numbers include
    private static String commit() {
        Path repo = Path.of(System.getProperty("bench.repo", "."));
        try {
            String head = git(repo, "rev-parse", "--short=12", "HEAD");
            String dirty = git(repo, "status", "--porcelain", "--untracked-files=no");
            return head.isEmpty() ? "unknown" : head + (dirty.isEmpty() ? "" : "-dirty");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String git(Path repo, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return "";
        }
        return out;
    }
}
