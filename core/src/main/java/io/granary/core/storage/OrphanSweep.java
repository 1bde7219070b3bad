package io.granary.core.storage;

import io.granary.core.model.StoredFile;
import io.granary.core.port.Catalog;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.ObjectStore.ObjectInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes objects under the files prefixes ({@link FileKeys#roots}) that no file record owns: bytes written
 * after their file was deleted (an upload in flight at the time, or credentials a store cannot revoke), and
 * leftovers of failed writes. Each {@link #sweep} lists at most {@code budget} objects per prefix, resuming
 * where the previous one stopped, and logs every object it removes.
 *
 * <p>An object is kept while a record owns it, expired or not (expiry is {@link FileService#purgeExpired}'s
 * job), and while it is younger than {@code grace}: a sliced export writes its slices before it records the
 * file ({@link ExportFiles#register}), so a fresh object without a record may be a file about to exist.
 * A prepared file is recorded before any credential for it exists, so its uploads are never at risk.
 */
public final class OrphanSweep {

    /** Longer than any export takes to upload its slices. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(6);
    public static final int DEFAULT_BUDGET = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(OrphanSweep.class);

    private final Catalog catalog;
    private final ObjectStore objects;
    private final Clock clock;
    private final List<String> roots;
    private final Duration grace;
    private final int budget;
    private final Map<String, String> resumeAfter = new HashMap<>();

    public OrphanSweep(Catalog catalog, ObjectStore objects, Clock clock, long projectId) {
        this(catalog, objects, clock, projectId, DEFAULT_GRACE, DEFAULT_BUDGET);
    }

    public OrphanSweep(Catalog catalog, ObjectStore objects, Clock clock, long projectId, Duration grace, int budget) {
        this.catalog = Objects.requireNonNull(catalog);
        this.objects = Objects.requireNonNull(objects);
        this.clock = Objects.requireNonNull(clock);
        this.roots = FileKeys.roots(projectId);
        this.grace = Objects.requireNonNull(grace);
        if (budget <= 0) {
            throw new IllegalArgumentException("The sweep needs a positive budget");
        }
        this.budget = budget;
    }

    /** One bounded pass over each files prefix; returns how many objects it removed. */
    public synchronized int sweep() {
        Instant now = clock.instant();
        Instant youngest = now.minus(grace);
        Map<Long, Optional<StoredFile>> records = new HashMap<>();
        int removed = 0;
        for (String root : roots) {
            List<ObjectInfo> page = objects.list(root, resumeAfter.get(root), budget);
            for (ObjectInfo object : page) {
                if (object.lastModified() == null || object.lastModified().isAfter(youngest)) {
                    continue;
                }
                OptionalLong id = FileKeys.fileId(object.key());
                Optional<StoredFile> record = id.isEmpty() ? Optional.empty()
                        : records.computeIfAbsent(id.getAsLong(), catalog::findFile);
                if (record.filter(f -> f.owns(object.key())).isPresent()) {
                    continue;
                }
                objects.delete(object.key());
                removed++;
                LOG.info("removed object {} ({} bytes, last written {}): no file record owns it", object.key(),
                        object.size(), object.lastModified());
            }
            if (page.size() < budget) {
                resumeAfter.remove(root);
            } else {
                resumeAfter.put(root, page.get(page.size() - 1).key());
            }
        }
        return removed;
    }
}
