package io.granary.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** A currently free TCP port, for tests and {@code --port 0}. */
public final class FreePort {

    private FreePort() {
    }

    public static int find() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }
}
