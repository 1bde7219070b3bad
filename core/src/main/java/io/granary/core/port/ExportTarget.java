package io.granary.core.port;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where one table export's slices go: objects of {@link #store()} whose keys start with {@link #keyPrefix()},
 * the key of the sliced file the export becomes. File Storage makes one per export and hands it to
 * {@link TableBackend#export}; when the backend returns, File Storage registers the slices the backend names
 * (checks they are there, writes the manifest, records the file), and when the export fails it removes every
 * object under the prefix. The backend never records anything itself.
 *
 * <p>A backend fills the target in one of two ways, as its engine works:
 * <ul>
 * <li>An engine that writes local files (DuckDB's and PostgreSQL's {@code COPY}) writes each slice into
 *     {@link #scratchDir()} and hands it over with {@link #putSlice}: on the embedded store the file is moved in
 *     place (no copy), on any other store it is uploaded.</li>
 * <li>An engine that writes to S3 itself (Trino) writes its slices under {@code s3://}{@code store().bucket()}
 *     {@code /}{@code keyPrefix()} with its own credentials, in parallel, and then names them; {@code
 *     store().list(keyPrefix())} finds what it wrote. It never touches {@link #scratchDir()}.</li>
 * </ul>
 * Either way the backend returns the slices' object keys, in order, in {@link TableBackend.ExportResult#slices()}.
 * Every key must start with the prefix; what follows may hold {@code /} (an engine writing into the directory
 * {@code keyPrefix + "/"}) but no empty, {@code .} or {@code ..} segment, must not be {@code manifest} (File
 * Storage writes {@code keyPrefix + "manifest"}), and the slices' last segments (their file names, which clients
 * save them by) must differ. Objects the backend leaves under the prefix without naming them (an engine's marker
 * files) are removed at registration. Where the backend chooses the names, they come from {@link #sliceName}, so
 * every backend's files look alike.
 *
 * <p>A backend must not write outside the prefix. A crash between the first slice and the registration leaves
 * objects no file record owns; the orphan sweep removes them after its grace period ({@code OrphanSweep}).
 */
public interface ExportTarget {

    /** The key every slice's object key starts with: the new file's key, ending in {@code .} + its name. */
    String keyPrefix();

    /** The store that will hold the slices; for backends whose engine writes to it directly. */
    ObjectStore store();

    /** An empty local directory for slices a backend writes locally; File Storage removes it after the export. */
    Path scratchDir();

    /**
     * Hands a finished local slice over: it becomes the object {@code keyPrefix() + name}, and {@code file} is gone
     * afterwards (moved or uploaded, then deleted; after a failure it may still be there, inside
     * {@link #scratchDir()} which is removed anyway). Safe to call from several threads at once.
     *
     * @return the slice's object key
     * @throws GranaryException {@link ErrorCode#INTERNAL} when {@code name} is not a plain slice name, or the
     *     store fails
     */
    String putSlice(String name, Path file);

    /**
     * The name of slice {@code index} (from 0): {@code 0000_part_00} plus {@code extension}, e.g. {@code .csv.gz}
     * or {@code .parquet}. Names sort in slice order up to 10,000 slices.
     */
    static String sliceName(int index, String extension) {
        return String.format(Locale.ROOT, "%04d_part_00%s", index, extension);
    }

    /** Checks a slice name for {@link #putSlice}: plain (no {@code /}, not {@code .} or {@code ..}), not empty, not the manifest. */
    static String checkSliceName(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")
                || name.equals("manifest")) {
            throw new GranaryException(ErrorCode.INTERNAL, "\"" + name + "\" is not a plain slice name.");
        }
        return name;
    }

    /** The target File Storage uses: slices go to {@code store} under {@code keyPrefix}. */
    static ExportTarget inStore(ObjectStore store, String keyPrefix, Path scratchDir) {
        return new StoreExportTarget(store, keyPrefix, scratchDir);
    }
}
