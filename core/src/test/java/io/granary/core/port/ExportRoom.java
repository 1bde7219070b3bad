package io.granary.core.port;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where one export of {@link TableBackendContract} goes, and how the test reads back what it stored. A backend
 * whose engine writes local files gets {@link #local}: slices it hands over land in a local directory, and the
 * target has no store (such a backend never needs one). A backend whose engine writes into the object store
 * itself gets {@link #inStore} over a real store ({@code TableBackendContract#exportRoom}).
 */
public interface ExportRoom {

    /** What the backend is given. */
    ExportTarget target();

    /** The bytes of an object the export stored. */
    byte[] read(String key);

    /** The key of every object in the room, whatever its prefix. */
    List<String> keys();

    /** Slices handed over with {@link ExportTarget#putSlice} are moved to {@code objects/<key>}. */
    static ExportRoom local(Path objects, String keyPrefix, Path scratch) {
        ExportTarget target = new ExportTarget() {
            @Override
            public String keyPrefix() {
                return keyPrefix;
            }

            @Override
            public ObjectStore store() {
                throw new UnsupportedOperationException("a backend writing local files hands them over with putSlice");
            }

            @Override
            public Path scratchDir() {
                return scratch;
            }

            @Override
            public String putSlice(String name, Path file) {
                String key = keyPrefix + ExportTarget.checkSliceName(name);
                try {
                    Path to = objects.resolve(key);
                    Files.createDirectories(to.getParent());
                    Files.move(file, to, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new GranaryException(ErrorCode.INTERNAL, e.getMessage(), e);
                }
                return key;
            }
        };
        return new ExportRoom() {
            @Override
            public ExportTarget target() {
                return target;
            }

            @Override
            public byte[] read(String key) {
                try {
                    return Files.readAllBytes(objects.resolve(key));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public List<String> keys() {
                if (!Files.isDirectory(objects)) {
                    return List.of();
                }
                try (Stream<Path> files = Files.walk(objects)) {
                    List<String> keys = new ArrayList<>();
                    files.filter(Files::isRegularFile)
                            .forEach(f -> keys.add(objects.relativize(f).toString().replace('\\', '/')));
                    return keys;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** The target File Storage uses, over a real store; {@link #keys()} lists under {@code keyPrefix}'s root. */
    static ExportRoom inStore(ObjectStore store, String keyPrefix, Path scratch) {
        ExportTarget target = ExportTarget.inStore(store, keyPrefix, scratch);
        String root = keyPrefix.substring(0, keyPrefix.lastIndexOf('/') + 1);
        return new ExportRoom() {
            @Override
            public ExportTarget target() {
                return target;
            }

            @Override
            public byte[] read(String key) {
                try (InputStream in = store.open(key).orElseThrow(() -> new AssertionError("no object " + key))) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public List<String> keys() {
                return store.list(root).stream().map(ObjectStore.ObjectInfo::key).toList();
            }
        };
    }
}
