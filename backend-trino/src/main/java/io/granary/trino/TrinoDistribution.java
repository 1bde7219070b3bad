package io.granary.trino;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The Trino server package, {@code io.trino:trino-server:<version>:tar.gz} from Maven Central. The build
 * of this module resolves it into the local Maven repository; this class finds it there (fetching it with
 * {@code mvn dependency:get} when it is missing and Maven is on the path) and unpacks it once into a
 * cache directory, keeping only what Granary runs: {@code lib/} and the {@code iceberg}, {@code hive} and
 * {@code password-authenticators} plugins (the package is 821 MB with 55 plugins; what is kept is about 460 MB). Unpacking goes to a
 * temporary directory that is renamed into place, so concurrent first starts (several test JVMs) never
 * see half a server.
 */
public final class TrinoDistribution {

    /**
     * The plugins Granary needs: Iceberg tables, Hive for transient external staging/export tables, and the password
     * authenticators (the file one serves workspace logins).
     */
    public static final List<String> PLUGINS = List.of("iceberg", "hive", "password-authenticators");

    private static final Properties BUILD = buildProperties();
    private static final String COMPLETE = ".granary-complete";

    private TrinoDistribution() {
    }

    /** The Trino version this build runs (the parent POM's {@code trino.version}). */
    public static String version() {
        return BUILD.getProperty("trino.version");
    }

    /**
     * The unpacked server (a directory with {@code lib/} and {@code plugin/}), unpacking it first if needed.
     *
     * @param cacheDir where unpacked servers live, or null for {@link #defaultCacheDir}
     * @param log      progress lines for a person (unpacking takes about 15 s)
     */
    public static Path home(Path cacheDir, Map<String, String> env, Consumer<String> log) {
        Path cache = cacheDir != null ? cacheDir : defaultCacheDir(env);
        Path home = cache.resolve("trino-server-" + version() + "-" + String.join("-", PLUGINS));
        if (Files.exists(home.resolve(COMPLETE))) {
            return home;
        }
        Path tarball = tarball(env, log);
        log.accept("Unpacking Trino " + version() + " (lib and the " + String.join(", ", PLUGINS) + " plugins) into "
                + home + " …");
        try {
            Files.createDirectories(cache);
            Path partial = cache.resolve(".unpacking-" + UUID.randomUUID());
            try {
                unpack(tarball, partial);
                Files.writeString(partial.resolve(COMPLETE), tarball + "\n", StandardCharsets.UTF_8);
                try {
                    Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                    if (!Files.exists(home.resolve(COMPLETE))) {
                        throw raced;
                    }
                }
            } finally {
                deleteTree(partial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot unpack " + tarball + " into " + cache + ": " + e.getMessage(), e);
        }
        return home;
    }

    /** {@code GRANARY_TRINO_CACHE}, else {@code $XDG_CACHE_HOME/granary}, else {@code ~/.cache/granary}. */
    public static Path defaultCacheDir(Map<String, String> env) {
        String explicit = env.get("GRANARY_TRINO_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("granary");
    }

    /** The package in the local Maven repository; fetched through Maven when it is not there yet. */
    static Path tarball(Map<String, String> env, Consumer<String> log) {
        List<Path> candidates = new ArrayList<>();
        String built = BUILD.getProperty("maven.repo.local");
        if (built != null && !built.isBlank() && !built.startsWith("${")) {
            candidates.add(Path.of(built));
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".m2", "repository"));
        String relative = "io/trino/trino-server/" + version() + "/trino-server-" + version() + ".tar.gz";
        for (Path repo : candidates) {
            Path file = repo.resolve(relative);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        Path expected = candidates.get(0).resolve(relative);
        String artifact = "io.trino:trino-server:" + version() + ":tar.gz";
        if (fetchWithMaven(artifact, log) && Files.isRegularFile(expected)) {
            return expected;
        }
        throw new IllegalStateException("The Trino " + version() + " server package is not in the local Maven repository ("
                + expected + "). The build downloads it from Maven Central: run `mvn -B package -DskipTests` in the"
                + " Granary checkout, or `mvn dependency:get -Dartifact=" + artifact + "`.");
    }

    private static boolean fetchWithMaven(String artifact, Consumer<String> log) {
        log.accept("Downloading " + artifact + " (about 820 MB) from Maven Central with mvn …");
        try {
            Process p = new ProcessBuilder("mvn", "-B", "-q", "dependency:get", "-Dtransitive=false", "-Dartifact=" + artifact)
                    .inheritIO().start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            log.accept("Cannot run mvn: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Unpacks the whole package into {@code target}, then removes the plugins Granary does not run. The
     * package stores files shared by plugins once, as hard links to their first copy (often in a plugin
     * that is not kept), so everything is written first and the unwanted names are deleted after.
     */
    static void unpack(Path tarball, Path target) throws IOException {
        Files.createDirectories(target);
        Path root = target.toAbsolutePath().normalize();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball), 1 << 20);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw, 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path to = inside(root, stripTop(e.getName()));
                if (to == null) {
                    continue;
                }
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                } else if (e.isLink()) {
                    Path from = inside(root, stripTop(e.getLinkName()));
                    if (from == null) {
                        throw new IOException("bad hard link in the package: " + e.getName());
                    }
                    Files.createDirectories(to.getParent());
                    Files.createLink(to, from);
                } else if (e.isSymbolicLink()) {
                    // the package has none that Granary needs (launchers only)
                    continue;
                } else if (e.isFile()) {
                    Files.createDirectories(to.getParent());
                    Files.copy(tar, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path plugins = root.resolve("plugin");
        try (var dirs = Files.list(plugins)) {
            for (Path plugin : dirs.toList()) {
                if (!PLUGINS.contains(plugin.getFileName().toString())) {
                    deleteTree(plugin);
                }
            }
        }
        for (String unused : List.of("bin", "secrets-plugin")) {
            deleteTree(root.resolve(unused));
        }
        for (String plugin : PLUGINS) {
            if (!Files.isDirectory(plugins.resolve(plugin))) {
                throw new IOException("the package has no " + plugin + " plugin");
            }
        }
    }

    private static String stripTop(String name) {
        int slash = name.indexOf('/');
        return slash < 0 ? "" : name.substring(slash + 1);
    }

    private static Path inside(Path root, String relative) {
        if (relative.isEmpty()) {
            return null;
        }
        Path p = root.resolve(relative).normalize();
        return p.startsWith(root) && !p.equals(root) ? p : null;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = TrinoDistribution.class.getResourceAsStream("distribution.properties")) {
            if (in == null) {
                throw new IllegalStateException("distribution.properties is missing from the Granary Trino jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
