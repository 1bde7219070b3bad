package io.granary.runner;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replaces every secret, its base64 and its JSON-encoded form by {@code [hidden]} (spec 1.5, 7.10). Longest first,
 * so a secret containing another is hidden whole.
 */
public final class SecretFilter {

    public static final String HIDDEN = "[hidden]";
    private final Set<String> secrets = new LinkedHashSet<>();
    private volatile List<String> needles = List.of();

    public SecretFilter(Collection<String> secrets) {
        addAll(secrets);
    }

    /**
     * Hides these values too from now on: secrets that exist only once the run has started (a staging's workspace
     * password). Logs made by {@link #wrap} see them at once.
     */
    public synchronized void addAll(Collection<String> more) {
        secrets.addAll(more);
        Set<String> all = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || s.isEmpty()) {
                continue;
            }
            all.add(s);
            all.add(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
            all.add(new String(JsonStringEncoder.getInstance().quoteAsString(s)));
        }
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        needles = List.copyOf(sorted);
    }

    public String filter(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String n : needles) { // one volatile read: a consistent list
            if (out.contains(n)) {
                out = out.replace(n, HIDDEN);
            }
        }
        return out;
    }

    /** A log that filters every message before passing it on. */
    public RunLog wrap(RunLog log) {
        return (level, message) -> log.log(level, filter(message));
    }
}
