package io.granary.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * What a staging gives the component besides the data folder, and what it undoes when the run is over. The
 * {@link Runner} adds {@link #environment()} to the component's variables, {@link #authorization()} to
 * config.json's {@code authorization} and {@link #secrets()} to what every log line and error hides.
 */
public interface StagingResource extends AutoCloseable {

    /** Variables for the component, e.g. {@code AWS_ENDPOINT_URL_S3} for S3 staging (spec 4.4). */
    default Map<String, String> environment() {
        return Map.of();
    }

    /** Entries for config.json's {@code authorization}, e.g. {@code {"workspace": {...}}} (spec 5.3). */
    default ObjectNode authorization() {
        return Json.object();
    }

    /** Values never to show: a workspace password, a session token. */
    default Set<String> secrets() {
        return Set.of();
    }

    /**
     * Releases what this staging made for the run (an ephemeral workspace, spec 5.6). Called when the run is over,
     * after a failure, a timeout and an interrupt too (Ctrl-C: from a shutdown hook, possibly while the run's thread
     * still uses the staging), so it must be idempotent and must not throw: it logs what it cannot undo.
     */
    @Override
    default void close() {
    }
}
