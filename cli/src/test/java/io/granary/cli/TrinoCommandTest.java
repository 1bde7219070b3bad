package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.trino.TrinoDistribution;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrinoCommandTest {

    @TempDir
    Path dir;

    @Test
    void helpDocumentsTheCommand() {
        CliRun run = CliRun.run(null, null, "trino", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--port", "--data-dir", "--java", "--heap", "Ctrl-C", "Java 24+", "CREATE CATALOG");
        assertThat(CliRun.run(null, null, "--help").out()).contains("trino");
    }

    @Test
    void aJavaOlderThan24IsRefusedWithWhatToDo() {
        CliRun run = CliRun.run(null, null, "trino", "--port", "18999", "--data-dir", dir.resolve("d").toString(),
                "--java", "/usr/lib/jvm/java-17-openjdk-amd64");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--java /usr/lib/jvm/java-17-openjdk-amd64 is Java 17; Trino "
                + TrinoDistribution.version() + " needs Java 24 or newer", "GRANARY_TRINO_JAVA");
        assertThat(dir.resolve("d")).doesNotExist();
    }

    @Test
    void aMissingJavaIsNamed() {
        CliRun run = CliRun.run(null, null, "trino", "--java", dir.resolve("no-jdk").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(dir.resolve("no-jdk") + " is not a Java installation");
    }

    @Test
    void runsInTheForegroundAnswersQueriesAndSigtermStopsTrinoToo() throws Exception {
        int port = freePort();
        Path data = dir.resolve("trino-data");
        Path out = dir.resolve("granary-trino.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process granary = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "trino", "--port", String.valueOf(port), "--data-dir", data.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long trinoPid = awaitRunning(granary, out, Duration.ofMinutes(4));
            Properties p = new Properties();
            p.setProperty("user", "granary");
            try (Connection c = DriverManager.getConnection("jdbc:trino://127.0.0.1:" + port, p);
                    Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 6 * 7")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).isEqualTo(42);
            }
            assertThat(Files.readString(data.resolve("etc/config.properties")))
                    .contains("catalog.management=dynamic", "http-server.http.port=" + port);
            assertThat(data.resolve("trino.log")).exists();

            granary.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook stops Trino and waits
            assertThat(granary.waitFor(60, TimeUnit.SECONDS)).as("granary trino exits after SIGTERM").isTrue();
            Optional<ProcessHandle> trino = ProcessHandle.of(trinoPid);
            assertThat(trino.map(ProcessHandle::isAlive).orElse(false)).as("Trino stopped with it").isFalse();
        } finally {
            granary.destroyForcibly();
        }
    }

    private static long awaitRunning(Process granary, Path out, Duration timeout) throws Exception {
        Pattern pid = Pattern.compile("started in [0-9.]+ s, pid (\\d+)");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            Matcher m = pid.matcher(text);
            if (m.find() && text.contains("Press Ctrl-C to stop.")) {
                return Long.parseLong(m.group(1));
            }
            if (!granary.isAlive()) {
                throw new AssertionError("granary trino exited with " + granary.exitValue() + ":\n" + text);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("granary trino did not start:\n" + Files.readString(out));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
