package io.granary.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The output tables of a workspace run (spec 5.4): not listed from the database, but every output mapping entry's
 * {@code source} plus every {@code out/tables/<name>.manifest} that no entry names. No orphan or missing-source check:
 * a table the component did not make surfaces as Storage's error when it is unloaded.
 */
final class WorkspaceOutputs {

    private static final String MANIFEST = ".manifest";

    private WorkspaceOutputs() {
    }

    /** The sources, sorted by name, each with its manifest when there is one; never sliced, columns unknown. */
    static List<OutputSource> sources(Path outTables, List<OutputTableMapping> mapping) {
        TreeSet<String> names = new TreeSet<>();
        mapping.forEach(m -> names.add(m.source()));
        for (String file : LocalOutputStaging.listNames(outTables, true)) {
            if (file.endsWith(MANIFEST) && file.length() > MANIFEST.length()) {
                names.add(file.substring(0, file.length() - MANIFEST.length()));
            }
        }
        List<OutputSource> out = new ArrayList<>();
        for (String name : names) {
            // a workspace table name is no path: only a plain name can have a manifest in out/tables
            Path manifest = name.contains("/") || name.contains("\\") ? null : outTables.resolve(name + MANIFEST);
            out.add(new OutputSource(name, manifest != null && Files.isRegularFile(manifest) ? manifest : null, false,
                    List.of()));
        }
        return out;
    }
}
