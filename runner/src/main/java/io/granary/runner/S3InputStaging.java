package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Input tables left in File Storage (spec 4.4 {@code s3}): each table is exported gzipped, and its manifest gets an
 * {@code s3} section naming the export ({@code key} ends in {@code manifest} for a sliced one, so the component
 * reads the slice list there) with read credentials for that file only. No data file is written. When the store is
 * not AWS itself, the component gets its endpoint in {@code AWS_ENDPOINT_URL_S3} and {@code AWS_ENDPOINT_URL}.
 */
final class S3InputStaging implements InputStaging {

    private final StorageClient client;
    private final RunLog log;
    private final int parallelism;
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    S3InputStaging(StagingContext context) {
        this.client = context.client();
        this.log = context.log();
        this.parallelism = context.parallelism();
    }

    @Override
    public String name() {
        return StagingModes.S3_MODE;
    }

    @Override
    public void stageTables(List<InputTable> tables) {
        log.info("Processing " + tables.size() + " S3 table exports.");
        Parallel.map(tables, parallelism, t -> {
            JsonNode file;
            try {
                JsonNode job = client.exportTableAsync(t.source(), t.exportOptions().gzip(true));
                file = client.getFile(job.path("results").path("file").path("id").asLong(), true);
            } catch (StorageApiException e) {
                throw new UserException("Cannot import data from Storage API: " + e.getMessage(), e);
            }
            ObjectNode manifest = t.manifest();
            ObjectNode s3 = section(file);
            secrets.add(s3.path("credentials").path("secret_access_key").asText());
            secrets.add(s3.path("credentials").path("session_token").asText());
            manifest.set("s3", s3);
            Json.write(t.manifestPath(), manifest);
            log.info("Exported table \"" + t.source() + "\" for \"" + t.destination() + "\" to S3.");
            return null;
        });
    }

    /** The manifest's {@code s3} section for an exported file's detail (with its federation token). */
    static ObjectNode section(JsonNode file) {
        JsonNode c = file.path("credentials");
        if (c.path("AccessKeyId").asText("").isEmpty()) {
            // a store that hands out presigned URLs only: nothing a component could read a sliced export with
            throw new UserException("This project does not have S3 backend.");
        }
        boolean sliced = file.path("isSliced").asBoolean(false);
        String key = file.path("s3Path").path("key").asText();
        ObjectNode s3 = Json.object();
        s3.put("isSliced", sliced);
        s3.put("region", file.path("region").asText());
        s3.put("bucket", file.path("s3Path").path("bucket").asText());
        s3.put("key", sliced ? key + "manifest" : key);
        ObjectNode credentials = s3.putObject("credentials");
        credentials.put("access_key_id", c.path("AccessKeyId").asText());
        credentials.put("secret_access_key", c.path("SecretAccessKey").asText());
        credentials.put("session_token", c.path("SessionToken").asText());
        return s3;
    }

    /** The exports' secret keys and session tokens, known once the tables are staged. */
    @Override
    public Set<String> secrets() {
        return Set.copyOf(secrets);
    }

    @Override
    public Map<String, String> environment() {
        URI endpoint = client.s3Endpoint();
        Map<String, String> env = new LinkedHashMap<>();
        if (endpoint != null) {
            // null = AWS itself, which boto3 and the AWS CLI find on their own
            env.put("AWS_ENDPOINT_URL_S3", endpoint.toString());
            env.put("AWS_ENDPOINT_URL", endpoint.toString());
        }
        return env;
    }
}
