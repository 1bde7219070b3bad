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
     * Adding a staging is one class per side plus its name here.
     *
     * @throws UserException an unknown mode, or a combination that cannot work
     */
    public static Staging open(StagingModes modes, StagingContext context) {
        InputStaging in = switch (modes.input()) {
            case "local" -> new LocalInputStaging(context);
            default -> throw new UserException("Unknown input staging \"" + modes.input() + "\". Use \"local\".");
        };
        OutputStaging out = switch (modes.output()) {
            case "local" -> new LocalOutputStaging(context);
            default -> throw new UserException("Unknown output staging \"" + modes.output() + "\". Use \"local\".");
        };
        return new Staging(in, out);
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
