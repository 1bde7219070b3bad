package io.granary.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data folder of spec 1.1: {@code config.json}, {@code in/state.json}, {@code in/tables}, {@code in/files},
 * {@code in/user}, {@code out/tables}, {@code out/files}.
 */
public final class DataFolder {

    private final Path root;

    private DataFolder(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Creates the layout in {@code dir} (created if missing). */
    public static DataFolder create(Path dir) {
        DataFolder f = new DataFolder(dir);
        try {
            for (Path p : new Path[] {f.inTables(), f.inFiles(), f.inUser(), f.outTables(), f.outFiles()}) {
                Files.createDirectories(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data folder " + dir + ": " + e.getMessage(), e);
        }
        return f;
    }

    /** Creates the layout in a new temp dir. */
    public static DataFolder createTemp() {
        try {
            return create(Files.createTempDirectory("granary-run-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    public Path configFile() {
        return root.resolve("config.json");
    }

    public Path inStateFile() {
        return root.resolve("in/state.json");
    }

    public Path outStateFile() {
        return root.resolve("out/state.json");
    }

    public Path inTables() {
        return root.resolve("in/tables");
    }

    public Path inFiles() {
        return root.resolve("in/files");
    }

    public Path inUser() {
        return root.resolve("in/user");
    }

    public Path outTables() {
        return root.resolve("out/tables");
    }

    public Path outFiles() {
        return root.resolve("out/files");
    }

    /** {@code KBC_DATADIR}: the absolute folder with a trailing slash (spec 1.2, 8.1). */
    public String kbcDataDir() {
        return root.toString() + "/";
    }
}
