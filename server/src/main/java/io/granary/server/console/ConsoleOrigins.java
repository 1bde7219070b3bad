package io.granary.server.console;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The web origins the console is served from: the ones the object store lets upload and download in a browser. */
public final class ConsoleOrigins {

    private static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "[::1]");

    private ConsoleOrigins() {
    }

    /**
     * The origin of {@code publicUrl}; for a loopback address also its other loopback names, since a user on the
     * machine may type any of them ({@code http://127.0.0.1:8080} for {@code http://localhost:8080}).
     */
    public static List<String> of(String publicUrl) {
        URI uri = URI.create(publicUrl);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        String suffix = port < 0 || port == defaultPort(scheme) ? "" : ":" + port;
        List<String> origins = new ArrayList<>();
        origins.add(scheme + "://" + host + suffix);
        if (LOOPBACK.contains(host)) {
            for (String other : LOOPBACK) {
                if (!other.equals(host)) {
                    origins.add(scheme + "://" + other + suffix);
                }
            }
        }
        return List.copyOf(origins);
    }

    /** {@code scheme://host[:port]} of a URL, as a browser writes an origin and a CSP source. */
    public static String originOf(String url) {
        return of(url).get(0);
    }

    /**
     * The Content-Security-Policy sources a page needs to reach an object store at {@code endpoint}: its origin, and
     * with {@code bucketsAsHosts} (an external store that may address a bucket as {@code bucket.host}) also
     * {@code scheme://*.host[:port]}.
     */
    public static List<String> sourcesOf(String endpoint, boolean bucketsAsHosts) {
        String origin = originOf(endpoint);
        if (!bucketsAsHosts) {
            return List.of(origin);
        }
        int split = origin.indexOf("://") + 3;
        return List.of(origin, origin.substring(0, split) + "*." + origin.substring(split));
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }
}
