package io.granary.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The staging of one run: its {@link InputStaging} and {@link OutputStaging} (one object when both sides share a
 * workspace), opened before the input mapping and closed when the run is over (spec 4.4, 5.1, 5.6).
 */
public final class Staging implements AutoCloseable {

    /** Makes the staging of a run; {@link Staging#open} is the one the runner uses. */
    @FunctionalInterface
    public interface Factory {
        Staging open(StagingModes modes, StagingContext context);
    }

    private final InputStaging input;
    private final OutputStaging output;
    private final AtomicBoolean closed = new AtomicBoolean();

    public Staging(InputStaging input, OutputStaging output) {
        this.input = input;
        this.output = output;
    }

    /**
     * Opens the stagings the modes name; a staging that needs something for the run (a workspace) makes it here.
     * Adding a staging is one class per side plus its name here and in {@link StagingModes}.
     *
     * @throws UserException        an unknown mode, or what the staging refuses in the configuration ({@code days}
     *                              on a workspace) or Storage refuses (the workspace)
     * @throws ApplicationException a workspace on one side only ({@link StagingModes#check})
     */
    public static Staging open(StagingModes modes, StagingContext context) {
        modes.check();
        if (modes.workspace()) {
            // both sides are one workspace: the input side makes it and deletes it, the output side unloads from it
            WorkspaceInputStaging workspace = WorkspaceInputStaging.open(context, modes.workspaceId());
            return new Staging(workspace, new WorkspaceOutputStaging(context, workspace));
        }
        InputStaging in = switch (modes.input()) {
            case StagingModes.S3_MODE -> new S3InputStaging(context);
            default -> new LocalInputStaging(context);
        };
        return new Staging(in, new LocalOutputStaging(context));
    }

    public InputStaging input() {
        return input;
    }

    public OutputStaging output() {
        return output;
    }

    /** The component's extra variables from both sides. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(input.environment());
        env.putAll(output.environment());
        return env;
    }

    /** The entries both sides add to config.json's {@code authorization}. */
    public ObjectNode authorization() {
        ObjectNode a = Json.object();
        a.setAll(input.authorization());
        a.setAll(output.authorization());
        return a;
    }

    public Set<String> secrets() {
        Set<String> s = new LinkedHashSet<>(input.secrets());
        s.addAll(output.secrets());
        return s;
    }

    /** Closes both sides once (a shared side once); safe to call again and from a shutdown hook. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            input.close();
            if (output != input) {
                output.close();
            }
        }
    }
}
