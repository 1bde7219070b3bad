package io.granary.server.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The console's static files, read once from the classpath folder {@code console/}. They are a few dozen
 * kilobytes, so they are held in memory; {@link #version()} is a digest of them all, which goes into the
 * asset URLs so a browser may cache each version for good and still sees a new one at once.
 */
public final class ConsoleAssets {

    /** One file: its bytes, its Content-Type and its strong ETag. */
    public record Asset(byte[] body, String contentType, String etag) {
    }

    static final String ROOT = "console";
    static final String INDEX = "index.html";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8");

    private final Map<String, Asset> assets;
    private final String version;

    private ConsoleAssets(Map<String, Asset> assets, String version) {
        this.assets = assets;
        this.version = version;
    }

    /** Reads {@code console/**} from the class path; {@code index.html}'s {@code {{version}}} becomes the version. */
    public static ConsoleAssets load() {
        Map<String, byte[]> files = new TreeMap<>();
        URL index = ConsoleAssets.class.getClassLoader().getResource(ROOT + "/" + INDEX);
        if (index == null) {
            throw new IllegalStateException("The console's files are missing from the class path (" + ROOT + "/)");
        }
        try {
            URI uri = index.toURI();
            if (uri.getScheme().equals("jar")) {
                // a file system of our own over the jar (not the shared one registered for its URI), closed after
                Path jarFile = Path.of(((JarURLConnection) index.openConnection()).getJarFileURL().toURI());
                try (FileSystem jar = FileSystems.newFileSystem(jarFile)) {
                    read(jar.getPath("/" + ROOT), files);
                }
            } else {
                read(Path.of(uri).getParent(), files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the console's files", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        MessageDigest all = sha256();
        files.forEach((name, bytes) -> {
            all.update(name.getBytes(StandardCharsets.UTF_8));
            all.update(bytes);
        });
        String version = HexFormat.of().formatHex(all.digest()).substring(0, 12);
        Map<String, Asset> assets = new TreeMap<>();
        files.forEach((name, bytes) -> {
            byte[] body = name.equals(INDEX)
                    ? new String(bytes, StandardCharsets.UTF_8).replace("{{version}}", version).getBytes(StandardCharsets.UTF_8)
                    : bytes;
            String etag = "\"" + HexFormat.of().formatHex(sha256().digest(body)).substring(0, 16) + "\"";
            assets.put(name, new Asset(body, contentType(name), etag));
        });
        return new ConsoleAssets(Map.copyOf(assets), version);
    }

    public String version() {
        return version;
    }

    public Asset index() {
        return assets.get(INDEX);
    }

    /** A file by its path below {@code console/} ({@code app.js}, {@code pages/files.js}). */
    public Optional<Asset> get(String path) {
        return Optional.ofNullable(assets.get(path));
    }

    private static void read(Path root, Map<String, byte[]> into) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(p).toString().replace('\\', '/');
                into.put(name, Files.readAllBytes(p));
            }
        }
    }

    private static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
