package io.granary.server;

import java.nio.file.Path;

/**
 * How to run one embedded Granary node. {@code publicUrl} and {@code s3PublicUrl} are what clients
 * are told (null = {@code http://localhost:<port>}); {@code masterToken} is used only on first start.
 */
public record ServerConfig(
        String host,
        int port,
        int s3Port,
        Path dataDir,
        String publicUrl,
        String s3PublicUrl,
        String s3Bucket,
        String region,
        int workers,
        String masterToken) {

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("0.0.0.0", 8080, 9000, dataDir, null, null, "granary", "us-east-1", 4, null);
    }

    public ServerConfig withPorts(int apiPort, int s3ApiPort) {
        return new ServerConfig(host, apiPort, s3ApiPort, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers,
                masterToken);
    }

    public ServerConfig withMasterToken(String token) {
        return new ServerConfig(host, port, s3Port, dataDir, publicUrl, s3PublicUrl, s3Bucket, region, workers, token);
    }
}
