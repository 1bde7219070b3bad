package io.granary.runner;

import io.granary.client.FileUploadOptions;
import io.granary.client.StorageClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Output files (spec 3.8): every file of {@code out/files} uploaded as it is, configured by its mapping item or else
 * its manifest (never merged), tagged with the run's system tags.
 */
final class OutputFiles {

    private final StorageClient client;
    private final DataFolder folder;
    private final RunLog log;
    private final int parallelism;
    private final OutputMapping.Context context;

    OutputFiles(StorageClient client, DataFolder folder, RunLog log, int parallelism, OutputMapping.Context context) {
        this.client = client;
        this.folder = folder;
        this.log = log;
        this.parallelism = parallelism;
        this.context = context;
    }

    /**
     * Returns the new file ids, in the files' name order.
     *
     * @throws UserException {@code File '<source>' not found.}, {@code Found orphaned file manifest: '<name>'},
     *                       {@code Cannot upload file '<name>' to Storage API: …}
     */
    List<Long> upload(List<OutputFileMapping> mapping) {
        Set<String> files = new TreeSet<>();
        Set<String> manifests = new TreeSet<>();
        for (String n : LocalOutputStaging.listNames(folder.outFiles(), true)) {
            (n.endsWith(".manifest") ? manifests : files).add(n);
        }
        for (OutputFileMapping m : mapping) {
            if (!files.contains(m.source())) {
                throw new UserException("File '" + m.source() + "' not found.");
            }
        }
        for (String m : manifests) {
            if (!files.contains(m.substring(0, m.length() - ".manifest".length()))) {
                throw new UserException("Found orphaned file manifest: '" + m + "'");
            }
        }
        Map<String, OutputFileMapping> configs = new LinkedHashMap<>();
        for (String f : files) {
            OutputFileMapping cfg = mapping.stream().filter(m -> f.equals(m.source())).findFirst().orElse(null);
            Path manifest = folder.outFiles().resolve(f + ".manifest");
            if (cfg == null && Files.exists(manifest)) {
                cfg = OutputFileMapping.of(ConfigSchema.readOutputManifest(manifest, false));
            }
            configs.put(f, cfg == null ? OutputFileMapping.defaults() : cfg);
        }
        return Parallel.map(new ArrayList<>(configs.entrySet()), parallelism, e -> upload(e.getKey(), e.getValue()));
    }

    private long upload(String name, OutputFileMapping cfg) {
        Set<String> tags = new LinkedHashSet<>(cfg.tags());
        tags.add("componentId: " + context.componentId());
        if (context.configId() != null) {
            tags.add("configurationId: " + context.configId());
        }
        if (context.runId() != null) {
            tags.add("runId: " + context.runId());
        }
        try {
            long id = client.uploadFile(folder.outFiles().resolve(name), FileUploadOptions.defaults()
                    .tags(new ArrayList<>(tags)).isPermanent(cfg.isPermanent()).isPublic(cfg.isPublic())
                    .isEncrypted(cfg.isEncrypted()).notify(cfg.notifyOnUpload()));
            log.info("Uploaded file \"" + name + "\" as file " + id + ".");
            return id;
        } catch (IOException | RuntimeException e) {
            throw new UserException("Cannot upload file '" + name + "' to Storage API: " + e.getMessage(), e);
        }
    }
}
