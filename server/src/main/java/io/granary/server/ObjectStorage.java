package io.granary.server;

import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.ObjectStore;
import io.granary.core.util.Secrets;
import io.granary.objectstore.EmbeddedObjectStorage;
import io.granary.objectstore.EmbeddedS3;
import io.granary.objectstore.ExternalObjectStorage;
import io.granary.objectstore.ExternalS3Config;
import io.granary.objectstore.S3RequestListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** The object store a node uses, with its credential issuer and what to close at shutdown. */
record ObjectStorage(ObjectStore store, CredentialIssuer issuer, String publicEndpoint, AutoCloseable lifecycle)
        implements AutoCloseable {

    /**
     * Starts the embedded S3 endpoint on {@code <data-dir>/objects} with this node's system key; pages from
     * {@code consoleOrigins} may upload and download with presigned URLs.
     */
    static ObjectStorage embedded(ServerConfig config, Path dataDir, Catalog catalog, List<String> consoleOrigins,
            S3RequestListener requests) {
        Properties keys = systemKeys(dataDir);
        EmbeddedS3.Config s3Config = new EmbeddedS3.Config(dataDir.resolve("objects"), config.s3Bucket(), config.host(),
                config.s3Port(), null, keys.getProperty("accessKey"), keys.getProperty("secretKey"), consoleOrigins);
        EmbeddedObjectStorage embedded = EmbeddedObjectStorage.start(s3Config, catalog, requests);
        String local = embedded.s3().endpoint().toString();
        String publicEndpoint = config.s3PublicUrl() != null ? config.s3PublicUrl() : local;
        return new ObjectStorage(embedded.objectStore(), embedded.credentialIssuer(), publicEndpoint, embedded);
    }

    /** Connects to the configured external store (checking its bucket) with the issuer of its credentials mode. */
    static ObjectStorage external(ServerConfig config, Catalog catalog) {
        ExternalObjectStorage external = ExternalObjectStorage.connect(config.s3(), catalog);
        ExternalS3Config s3 = config.s3();
        String publicEndpoint = s3.publicEndpoint() != null ? s3.publicEndpoint().toString()
                : external.objectStore().endpoint().toString();
        return new ObjectStorage(external.objectStore(), external.credentialIssuer(), publicEndpoint, external);
    }

    @Override
    public void close() throws Exception {
        lifecycle.close();
    }

    // the system key signs the server's own S3 calls and derives minted secrets; it never leaves the data dir
    static Properties systemKeys(Path dataDir) {
        Path file = dataDir.resolve("s3-system-key.properties");
        Properties p = new Properties();
        try {
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                return p;
            }
            String access = "GRANARY" + Secrets.random(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
            String secret = Secrets.random(40);
            SecretFile.write(file, "accessKey=" + access + "\nsecretKey=" + secret + "\n");
            p.setProperty("accessKey", access);
            p.setProperty("secretKey", secret);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create " + file, e);
        }
    }
}
