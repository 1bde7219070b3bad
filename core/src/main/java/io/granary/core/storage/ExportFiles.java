package io.granary.core.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.FileType;
import io.granary.core.model.StoredFile;
import io.granary.core.port.Catalog;
import io.granary.core.port.ExportTarget;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.ObjectStore.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sliced files table exports write into File Storage. {@link #start} takes the new file's id and key;
 * the table backend writes the slices under that key through {@link #target} (see {@link ExportTarget});
 * {@link #register} then checks them, writes the manifest and records the file, in that order, so the file
 * appears only once complete. When the export fails, {@link #discard} removes whatever it wrote; when the
 * node dies first, the orphan sweep does ({@link OrphanSweep}: no record owns the objects).
 */
public final class ExportFiles {

    /** A file an export is writing: its id and key are taken, nothing is recorded yet. */
    public record Pending(long id, String name, String key, Instant created, FileType type, List<String> tags,
            long creatorTokenId, String creatorDescription, String runId) {

        public Pending {
            tags = List.copyOf(tags);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalog catalog;
    private final ObjectStore objects;
    private final Clock clock;
    private final long projectId;

    ExportFiles(Catalog catalog, ObjectStore objects, Clock clock, long projectId) {
        this.catalog = catalog;
        this.objects = objects;
        this.clock = clock;
        this.projectId = projectId;
    }

    /** Takes an id and a key (under the files prefix, expiring in 15 days) for a sliced file named {@code name}. */
    public Pending start(String name, FileType type, List<String> tags, long creatorTokenId, String creatorDescription,
            String runId) {
        Instant now = clock.instant();
        long id = catalog.nextFileId();
        String key = FileKeys.of(false, now, projectId, id, FileService.keySafe(name));
        return new Pending(id, name, key, now, type, tags, creatorTokenId, creatorDescription, runId);
    }

    /** Where the backend writes the slices of {@code file}: its key as prefix, {@code scratchDir} for local files. */
    public ExportTarget target(Pending file, Path scratchDir) {
        return ExportTarget.inStore(objects, file.key(), scratchDir);
    }

    /**
     * Records {@code file} with {@code slices} (object keys in order, as the backend returned them): every slice
     * must be under the file's key with a plain name and be in the store; objects under the key that are not
     * slices are removed; then the manifest ({@code {"entries": [{"url": "s3://bucket/key", "mandatory": true}]}})
     * is written and the file recorded with the slices' total size. When any step fails, everything under the
     * key is removed and nothing is recorded.
     *
     * @throws GranaryException {@link ErrorCode#INTERNAL} when the slices break these rules or the store fails
     */
    public StoredFile register(Pending file, List<String> slices) {
        try {
            long size = checkSlices(file, slices);
            writeManifest(file, slices);
            StoredFile stored = new StoredFile(file.id(), file.name(), size, contentType(file.type()), false, true, false,
                    false, file.type().wire(), file.tags(), file.runId(), file.creatorTokenId(), file.creatorDescription(),
                    file.key(), file.created(), file.created().plus(Duration.ofDays(FileService.MAX_AGE_DAYS)));
            catalog.insertFile(stored);
            return stored;
        } catch (RuntimeException e) {
            discard(file, e);
            throw e instanceof GranaryException ge ? ge
                    : new GranaryException(ErrorCode.INTERNAL, "Cannot register the exported file: " + e.getMessage(), e);
        }
    }

    /** Reads one slice the backend wrote for a file that is not recorded yet (to merge the slices into one file). */
    public java.io.InputStream openSlice(String slice) {
        return objects.open(slice).orElseThrow(() -> new GranaryException(ErrorCode.INTERNAL,
                "Export slice '" + slice + "' is not in the object store."));
    }

    /** Removes every object under the file's key once its slices have been merged into another file. */
    public void remove(Pending file) {
        objects.deletePrefix(file.key());
    }

    /** Removes every object under the file's key (an export that failed); a failure to do so is added to {@code cause}. */
    public void discard(Pending file, Throwable cause) {
        try {
            objects.deletePrefix(file.key());
        } catch (RuntimeException e) {
            // the orphan sweep removes what is left
            cause.addSuppressed(e);
        }
    }

    private long checkSlices(Pending file, List<String> slices) {
        if (slices.isEmpty()) {
            throw new GranaryException(ErrorCode.INTERNAL, "The export wrote no slice.");
        }
        Set<String> named = new HashSet<>();
        Set<String> fileNames = new HashSet<>();
        for (String slice : slices) {
            String rest = slice == null || !slice.startsWith(file.key()) ? null : slice.substring(file.key().length());
            if (rest == null || !plainPath(rest)) {
                throw new GranaryException(ErrorCode.INTERNAL, "Export slice '" + slice + "' is not a slice under the"
                        + " file's key " + file.key() + ".");
            }
            if (!named.add(slice) || !fileNames.add(rest.substring(rest.lastIndexOf('/') + 1))) {
                throw new GranaryException(ErrorCode.INTERNAL, "Export slice '" + slice + "' has the file name of"
                        + " another slice.");
            }
        }
        Map<String, Long> sizes = new HashMap<>();
        for (ObjectInfo o : objects.list(file.key())) {
            if (named.contains(o.key())) {
                sizes.put(o.key(), o.size());
            } else {
                objects.delete(o.key());
            }
        }
        long total = 0;
        for (String slice : slices) {
            Long size = sizes.get(slice);
            if (size == null) {
                throw new GranaryException(ErrorCode.INTERNAL, "Export slice '" + slice + "' is not in the object store.");
            }
            total += size;
        }
        return total;
    }

    // what follows the file's key: segments that are neither empty nor "." or "..", and not the manifest's name
    private static boolean plainPath(String rest) {
        if (rest.isEmpty() || rest.equals("manifest")) {
            return false;
        }
        String[] segments = (rest.startsWith("/") ? rest.substring(1) : rest).split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private void writeManifest(Pending file, List<String> slices) {
        ObjectNode manifest = JSON.createObjectNode();
        ArrayNode entries = manifest.putArray("entries");
        for (String slice : slices) {
            entries.addObject().put("url", "s3://" + objects.bucket() + "/" + slice).put("mandatory", true);
        }
        byte[] body = manifest.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        objects.put(file.key() + "manifest", new ByteArrayInputStream(body), body.length);
    }

    private static String contentType(FileType type) {
        return type == FileType.PARQUET ? "application/vnd.apache.parquet" : "text/csv";
    }
}
