package io.granary.runner;

import java.nio.file.Path;
import java.util.List;

/**
 * One table the component produced, as its {@link OutputStaging} found it (spec 3.2, 5.4).
 *
 * @param name     the name a mapping's {@code source} refers to: a file or folder of {@code out/tables}, or a
 *                 workspace table
 * @param manifest {@code out/tables/<name>.manifest} when there is one, else null
 * @param sliced   a folder of header-less slices (the columns must then be configured, 3.5)
 * @param columns  the columns the staging knows without configuration (a workspace table's own), used when neither
 *                 mapping nor manifest names them; empty for local files, whose header Storage reads
 */
public record OutputSource(String name, Path manifest, boolean sliced, List<String> columns) {

    public OutputSource {
        columns = List.copyOf(columns);
    }
}
