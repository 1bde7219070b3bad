package io.granary.server.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * How the server logs: {@code text} (one human line per event) or {@code json} (one JSON object per line, for log
 * collectors); chosen before the server starts.
 */
public enum LogFormat {
    TEXT, JSON;

    /** The format named {@code text} or {@code json} (any case). */
    public static LogFormat parse(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "", "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("Unknown log format \"" + name + "\": use text or json.");
        };
    }

    /**
     * Switches the process's logging to this format: {@code json} re-reads logback from {@code logback-json.xml}
     * beside this class; {@code text} is what the bundled {@code logback.xml} already does.
     */
    public void apply() {
        if (this == TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        URL config = LogFormat.class.getResource("logback-json.xml");
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("Cannot configure logging: " + e.getMessage(), e);
        }
    }
}
