package io.granary.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.StorageClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Output mapping (spec 3): the sources the {@link OutputStaging} found, each combined with the mapping entries that
 * name it and resolved with its manifest ({@link OutputTableResolver}), validated as a whole (nothing is loaded when
 * any output is invalid), then loaded in parallel ({@link TableLoader}); and the files of {@code out/files}
 * ({@link OutputFiles}).
 */
public final class OutputMapping {

    /** The run's identity: system tags of output files (3.8), table metadata (3.6.6) and the default bucket (3.1). */
    public record Context(String componentId, String configId, String runId, String defaultBucket) {
    }

    private final OutputStaging staging;
    private final OutputTableResolver resolver;
    private final TableLoader loader;
    private final OutputFiles files;

    public OutputMapping(StorageClient client, DataFolder folder, RunLog log, int parallelism, Context context,
            OutputStaging staging) {
        this.staging = staging;
        this.resolver = new OutputTableResolver(log, context.defaultBucket(), staging.rules());
        this.loader = new TableLoader(client, log, parallelism, context, staging);
        this.files = new OutputFiles(client, folder, log, Math.max(1, parallelism), context);
    }

    /**
     * Finds, merges, resolves and validates every output table (3.2 – 3.5). In failed-job mode (3.7) errors are
     * swallowed and only {@code write_always} outputs are returned.
     *
     * @throws UserException with every problem found (one per line) when not in failed-job mode
     */
    public List<TableOutput> prepareTables(List<OutputTableMapping> mapping, boolean failedJob) {
        List<TableOutput> outputs = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (OutputSource source : staging.sources(mapping, failedJob)) {
            List<OutputTableMapping> entries = mapping.stream().filter(m -> source.name().equals(m.source())).toList();
            // a source without a mapping entry is still one output (3.2 step 4)
            for (OutputTableMapping entry : entries.isEmpty() ? Collections.<OutputTableMapping>singletonList(null) : entries) {
                try {
                    ObjectNode manifest = source.manifest() == null ? Json.object()
                            : ConfigSchema.readOutputManifest(source.manifest(), true);
                    TableOutput out = resolver.resolve(source, manifest, entry);
                    if (!failedJob || out.writeAlways()) {
                        outputs.add(out);
                    }
                } catch (UserException e) {
                    if (!failedJob) {
                        errors.add(e.getMessage());
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new UserException(String.join("\n", errors));
        }
        return outputs;
    }

    /**
     * Creates missing buckets, then loads every output (3.6). Returns the written table ids.
     *
     * @throws UserException {@code Failed to load table "<id>": <message>} for each failed load, one per line
     */
    public List<String> loadTables(List<TableOutput> outputs) {
        return loader.load(outputs);
    }

    /** Uploads everything in {@code out/files} with its tags plus the system tags (3.8); returns the new file ids. */
    public List<Long> uploadFiles(List<OutputFileMapping> mapping) {
        return files.upload(mapping);
    }
}
