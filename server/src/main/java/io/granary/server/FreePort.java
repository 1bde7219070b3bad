package io.granary.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A currently free TCP port, for tests and {@code --port 0}. */
public final class FreePort {

    private FreePort() {
    }

    /**
     * A free port held by a listening socket until {@link Reservation#close()}: while it is held, nothing else on
     * this machine (an ephemeral bind, the local end of an outgoing connection) can take it.
     */
    public static Reservation reserve() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(0));
            return new Reservation(s);
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    /** A port held until closed; close it just before the server that will listen on it binds. */
    public static final class Reservation implements AutoCloseable {
        private final ServerSocket socket;

        private Reservation(ServerSocket socket) {
            this.socket = socket;
        }

        public int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static int find() {
        try (Reservation r = reserve()) {
            return r.port();
        }
    }
}
