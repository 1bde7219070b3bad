package io.granary.objectstore;

import io.granary.core.port.Catalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * An S3 endpoint inside the Granary process (S3Proxy over the local filesystem). Objects are plain files
 * at {@code <root>/<bucket>/<key>}, so the server can read them in place. Requests are authorised by a
 * {@link ScopedBlobStoreLocator}: the system key has full access, minted credentials only their keys, and
 * only with their session token and while their file exists; keys with {@code .}/{@code ..} segments are
 * refused ({@link RequestGuard}).
 */
public final class EmbeddedS3 implements AutoCloseable {

    /**
     * Where and how to serve.
     *
     * @param root directory holding one sub-directory per bucket (created if missing)
     * @param bucket the one bucket Granary uses (created if missing)
     * @param host address to listen on, e.g. "127.0.0.1" or "0.0.0.0"
     * @param port port to listen on; 0 picks a free one
     * @param virtualHost when not null, also accept virtual-host-style requests
     *     ({@code Host: <bucket>.<virtualHost>}). Every client must then reach the endpoint by that name:
     *     S3Proxy takes any other Host header to be a bucket name. Null serves path-style only.
     * @param systemAccessKey Granary's own access key
     * @param systemSecret its secret, also the key minted secrets are derived from
     * @param corsOrigins web origins (e.g. {@code http://localhost:8080}, the console) whose pages may PUT, GET and
     *     HEAD objects with presigned URLs; empty answers no cross-origin request
     */
    public record Config(Path root, String bucket, String host, int port, String virtualHost,
            String systemAccessKey, String systemSecret, List<String> corsOrigins) {

        public Config {
            Objects.requireNonNull(root, "root");
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(systemAccessKey, "systemAccessKey");
            Objects.requireNonNull(systemSecret, "systemSecret");
            corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
        }

        /** No cross-origin access. */
        public Config(Path root, String bucket, String host, int port, String virtualHost, String systemAccessKey,
                String systemSecret) {
            this(root, bucket, host, port, virtualHost, systemAccessKey, systemSecret, List.of());
        }

        /** Path-style only, bucket "granary". */
        public Config(Path root, String host, int port, String systemAccessKey, String systemSecret) {
            this(root, "granary", host, port, null, systemAccessKey, systemSecret);
        }

        @Override
        public String toString() {
            return "Config[root=" + root + ", bucket=" + bucket + ", host=" + host + ", port=" + port
                    + ", virtualHost=" + virtualHost + ", systemAccessKey=" + systemAccessKey + ", systemSecret=***"
                    + ", corsOrigins=" + corsOrigins + "]";
        }
    }

    private final Config config;
    private final S3Proxy proxy;
    private final URI endpoint;

    private EmbeddedS3(Config config, S3Proxy proxy) {
        this.config = config;
        this.proxy = proxy;
        this.endpoint = URI.create("http://" + clientHost(config) + ":" + proxy.getPort());
    }

    /** Creates the root and bucket directories if needed and starts listening. */
    public static EmbeddedS3 start(Config config, Catalog catalog) {
        return start(config, catalog, S3RequestListener.NONE);
    }

    /** As {@link #start(Config, Catalog)}, telling {@code listener} of every request answered. */
    public static EmbeddedS3 start(Config config, Catalog catalog, S3RequestListener listener) {
        try {
            Files.createDirectories(config.root());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create object store directory " + config.root(), e);
        }
        BlobStore store = new PrivateBlobStore(new FilesystemNio2BlobStore(config.root().toAbsolutePath().toString()));
        if (!store.containerExists(config.bucket())) {
            store.createContainer(config.bucket(), CreateContainerOptions.NONE);
        }
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://" + uriHost(config.host()) + ":" + config.port()))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, config.systemAccessKey(), config.systemSecret())
                .ignoreUnknownHeaders(true)
                .corsRules(corsRules(config.corsOrigins()));
        if (config.virtualHost() != null) {
            builder.virtualHost(config.virtualHost());
        }
        S3Proxy proxy = builder.build();
        ScopedBlobStoreLocator locator =
                new ScopedBlobStoreLocator(store, config.systemAccessKey(), config.systemSecret(), catalog);
        proxy.setBlobStoreLocator(locator);
        RequestGuard.install(proxy, locator);
        if (listener != S3RequestListener.NONE) {
            var server = RequestGuard.jettyServer(proxy);
            server.setHandler(new S3RequestObserver(server.getHandler(), listener, config.bucket(), config.virtualHost()));
        }
        try {
            proxy.start();
        } catch (Exception e) {
            stopQuietly(proxy);
            throw new IllegalStateException("Cannot start the embedded S3 endpoint on " + config.host() + ":"
                    + config.port() + ": " + e.getMessage(), e);
        }
        return new EmbeddedS3(config, proxy);
    }

    public Config config() {
        return config;
    }

    /** The port actually listened on. */
    public int port() {
        return proxy.getPort();
    }

    /** {@code http://host:port} as a client on this machine reaches it (the virtual host name if set). */
    public URI endpoint() {
        return endpoint;
    }

    public String bucket() {
        return config.bucket();
    }

    /** The directory whose sub-directory {@link #bucket()} holds the objects. */
    public Path root() {
        return config.root();
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop the embedded S3 endpoint: " + e.getMessage(), e);
        }
    }

    // Browsers upload and download with presigned URLs (no Authorization header, so only Content-Type is
    // ever requested), and a multipart upload needs the ETag of each part; nothing wider is allowed.
    static CrossOriginResourceSharing corsRules(List<String> origins) {
        if (origins.isEmpty()) {
            return CrossOriginResourceSharing.disabled();
        }
        List<String> exact = origins.stream().map(o -> Pattern.quote(o.replaceAll("/+$", ""))).toList();
        return new CrossOriginResourceSharing(exact, List.of("GET", "HEAD", "PUT"), List.of("content-type"),
                List.of("ETag"), "");
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception ignored) {
            // already failing to start; the original error matters
        }
    }

    private static String clientHost(Config config) {
        if (config.virtualHost() != null) {
            return config.virtualHost();
        }
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isEmpty()) {
            return "127.0.0.1";
        }
        return uriHost(host);
    }

    private static String uriHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
