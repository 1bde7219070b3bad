package io.granary.trino;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the Java that runs the Trino server. Trino 476 needs Java 24 or newer while Granary itself runs on
 * 17, so the server gets its own {@code java}: the one asked for ({@code --java} or
 * {@code GRANARY_TRINO_JAVA}, a JDK home or its {@code bin/java}), else {@code JAVA_HOME} when it is new
 * enough, else the newest JDK 24+ under {@code /usr/lib/jvm}.
 */
public final class TrinoJava {

    /** The oldest Java that Trino 476 runs on. */
    public static final int REQUIRED = 24;

    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("version \"(\\d+)(?:[.\"+-]|$)");
    private static final Pattern RELEASE = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    /** A {@code java} executable and its feature version. */
    public record Found(Path executable, int version) {
    }

    /** No usable Java: the message says what was looked at and what to do. */
    public static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    private TrinoJava() {
    }

    /**
     * The Java for Trino. {@code requested} (may be null) is a JDK home or a {@code java} executable and
     * must be 24+; without it the environment's {@code GRANARY_TRINO_JAVA}, {@code JAVA_HOME} and
     * {@code /usr/lib/jvm} are searched.
     *
     * @throws NotFound when the requested Java is too old or missing, or none was found
     */
    public static Found find(String requested, Map<String, String> env) {
        return find(requested, env, JVM_DIR);
    }

    static Found find(String requested, Map<String, String> env, Path jvmDir) {
        String asked = requested != null && !requested.isBlank() ? requested : env.get("GRANARY_TRINO_JAVA");
        if (asked != null && !asked.isBlank()) {
            String source = requested != null && !requested.isBlank() ? "--java" : "GRANARY_TRINO_JAVA";
            Path executable = executable(Path.of(asked));
            if (executable == null) {
                throw new NotFound(source + " " + asked + " is not a Java installation (no bin/java there). "
                        + advice());
            }
            int version = version(executable);
            if (version < REQUIRED) {
                throw new NotFound(source + " " + asked + " is " + describe(version) + "; Trino " + TrinoDistribution.version()
                        + " needs Java " + REQUIRED + " or newer. " + advice());
            }
            return new Found(executable, version);
        }
        List<String> seen = new ArrayList<>();
        String javaHome = env.get("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            Path executable = executable(Path.of(javaHome));
            int version = executable == null ? -1 : version(executable);
            if (version >= REQUIRED) {
                return new Found(executable, version);
            }
            seen.add("JAVA_HOME=" + javaHome + " (" + describe(version) + ")");
        }
        Optional<Found> best = Optional.empty();
        if (Files.isDirectory(jvmDir)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvmDir)) {
                List<Found> all = new ArrayList<>();
                for (Path dir : dirs) {
                    Path executable = executable(dir);
                    if (executable == null || Files.isSymbolicLink(dir)) {
                        continue;
                    }
                    int version = version(executable);
                    seen.add(dir + " (" + describe(version) + ")");
                    if (version >= REQUIRED) {
                        all.add(new Found(executable, version));
                    }
                }
                best = all.stream().max(Comparator.comparingInt(Found::version));
            } catch (IOException e) {
                seen.add(jvmDir + " (unreadable: " + e.getMessage() + ")");
            }
        } else {
            seen.add(jvmDir + " (missing)");
        }
        return best.orElseThrow(() -> new NotFound("No Java " + REQUIRED + "+ found to run Trino "
                + TrinoDistribution.version() + " (Granary itself runs on Java 17, Trino needs " + REQUIRED
                + " or newer). Looked at: " + (seen.isEmpty() ? "nothing" : String.join(", ", seen)) + ". "
                + advice()));
    }

    private static String advice() {
        return "Install a JDK " + REQUIRED + "+ (for example Temurin 25 under /usr/lib/jvm) and pass --java <jdk home>"
                + " or set GRANARY_TRINO_JAVA.";
    }

    private static String describe(int version) {
        return version < 0 ? "version unknown" : "Java " + version;
    }

    /** {@code path/bin/java} for a JDK home, {@code path} itself for an executable, else null. */
    private static Path executable(Path path) {
        if (Files.isRegularFile(path) && Files.isExecutable(path)) {
            return path;
        }
        Path java = path.resolve("bin").resolve("java");
        return Files.isRegularFile(java) && Files.isExecutable(java) ? java : null;
    }

    /** The feature version: from the JDK's {@code release} file when there is one, else from {@code java -version}. */
    static int version(Path executable) {
        Path home = executable.toAbsolutePath().getParent().getParent();
        Path release = home == null ? null : home.resolve("release");
        if (release != null && Files.isRegularFile(release)) {
            try {
                Matcher m = RELEASE.matcher(Files.readString(release, StandardCharsets.UTF_8));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            } catch (IOException | RuntimeException ignored) {
                // fall back to asking the executable
            }
        }
        try {
            Process p = new ProcessBuilder(executable.toString(), "-version").redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            Matcher m = VERSION.matcher(out);
            if (!m.find()) {
                return -1;
            }
            int major = Integer.parseInt(m.group(1));
            return major == 1 ? 8 : major; // "1.8.0_x" is Java 8
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
