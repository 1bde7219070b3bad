package io.granary.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Bucket;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.model.Job;
import io.granary.core.model.Metadata;
import io.granary.core.model.StoredFile;
import io.granary.core.model.Table;
import io.granary.core.model.Token;
import io.granary.core.model.Workspace;
import io.granary.core.storage.FileService;
import java.time.Instant;
import java.util.List;

/** Renders domain records as the Storage API's JSON resources. */
public final class Views {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String apiUrl;
    private final String s3Bucket;
    private final String region;
    private final long projectId;
    private final String backend;

    public Views(String publicUrl, String s3Bucket, String region, long projectId, String backend) {
        this.apiUrl = publicUrl.replaceAll("/+$", "") + "/v2/storage";
        this.s3Bucket = s3Bucket;
        this.region = region;
        this.projectId = projectId;
        this.backend = backend;
    }

    public String apiUrl() {
        return apiUrl;
    }

    public ObjectNode token(Token t, String secret, List<Bucket> allBuckets, Token creator) {
        ObjectNode n = F.objectNode();
        n.put("id", String.valueOf(t.id()));
        if (secret != null) {
            n.put("token", secret);
        }
        n.put("created", Times.format(t.created()));
        n.put("refreshed", Times.format(t.refreshed() == null ? t.created() : t.refreshed()));
        n.put("description", t.description());
        n.put("uri", apiUrl + "/tokens/" + t.id());
        n.put("isMasterToken", t.isMasterToken());
        n.put("canManageBuckets", t.canManageBuckets());
        n.put("canManageTokens", t.canManageTokens());
        n.put("canReadAllFileUploads", t.canReadAllFileUploads());
        n.put("canPurgeTrash", t.isMasterToken());
        n.put("expires", Times.format(t.expires()));
        n.put("isExpired", t.isExpired(Instant.now()));
        n.put("isDisabled", false);
        n.putNull("dailyCapacity");
        ObjectNode perms = n.putObject("bucketPermissions");
        if (t.isMasterToken() || t.canManageBuckets()) {
            allBuckets.forEach(b -> perms.put(b.id(), "manage"));
        } else {
            t.bucketPermissions().forEach((k, v) -> perms.put(k, v.wire()));
        }
        n.putArray("componentAccess");
        if (creator == null) {
            n.putNull("creatorToken");
        } else {
            n.putObject("creatorToken").put("id", String.valueOf(creator.id())).put("description", creator.description());
        }
        n.set("owner", owner());
        return n;
    }

    public ObjectNode owner() {
        ObjectNode o = F.objectNode();
        o.put("id", projectId);
        o.put("name", "Granary");
        o.put("type", "production");
        o.put("region", region);
        o.put("defaultBackend", backend);
        o.put("fileStorageProvider", "aws");
        o.put("hasSnowflake", false);
        o.put("hasRedshift", false);
        o.put("hasSynapse", false);
        o.put("hasExasol", false);
        o.put("hasTeradata", false);
        o.put("hasBigquery", false);
        o.put("isDisabled", false);
        o.putArray("features").add("queuev2");
        o.putObject("limits");
        o.putObject("metrics");
        return o;
    }

    public ObjectNode bucket(Bucket b) {
        ObjectNode n = F.objectNode();
        n.put("id", b.id());
        n.put("name", b.name());
        n.put("displayName", b.displayName());
        n.put("idBranch", 1);
        n.put("stage", b.stage());
        n.put("description", b.description() == null ? "" : b.description());
        n.put("uri", apiUrl + "/buckets/" + b.id());
        n.put("tables", apiUrl + "/buckets/" + b.id() + "/tables");
        n.put("created", Times.format(b.created()));
        n.putNull("lastChangeDate");
        n.put("updated", (String) null);
        n.put("isReadOnly", false);
        n.put("dataSizeBytes", 0);
        n.put("rowsCount", 0);
        n.put("isMaintenance", false);
        n.put("backend", b.backend());
        n.putNull("sharing");
        n.put("hasExternalSchema", false);
        n.putArray("attributes");
        n.putArray("metadata");
        return n;
    }

    public ObjectNode table(Table t, Bucket bucket, boolean withColumns) {
        return table(t, bucket, withColumns, List.of());
    }

    /** A table with its metadata: table-level entries in {@code metadata}, column entries in {@code columnMetadata}. */
    public ObjectNode table(Table t, Bucket bucket, boolean withColumns, List<Metadata> metadata) {
        ObjectNode n = F.objectNode();
        n.put("uri", apiUrl + "/tables/" + t.id());
        n.put("id", t.id());
        n.put("name", t.ref().name());
        n.put("displayName", t.ref().name());
        n.put("transactional", false);
        ArrayNode pk = n.putArray("primaryKey");
        t.primaryKey().forEach(pk::add);
        n.putNull("indexType");
        n.putNull("indexKey");
        n.putArray("distributionKey");
        n.putNull("syntheticPrimaryKeyEnabled");
        n.put("created", Times.format(t.created()));
        n.put("lastImportDate", Times.format(t.lastImportDate()));
        n.put("lastChangeDate", Times.format(t.lastChangeDate()));
        n.put("rowsCount", t.rowsCount());
        n.put("dataSizeBytes", t.dataSizeBytes());
        n.put("isAlias", false);
        n.put("isAliasable", true);
        n.put("isTyped", false);
        n.put("tableType", "table");
        if (withColumns) {
            ArrayNode cols = n.putArray("columns");
            t.columns().forEach(cols::add);
        }
        n.putArray("attributes");
        ArrayNode tableMetadata = n.putArray("metadata");
        ObjectNode columnMetadata = F.objectNode();
        for (Metadata m : metadata) {
            if (m.column() == null) {
                tableMetadata.add(metadata(m));
            } else {
                ArrayNode list = columnMetadata.has(m.column()) ? (ArrayNode) columnMetadata.get(m.column())
                        : columnMetadata.putArray(m.column());
                list.add(metadata(m));
            }
        }
        // Keboola answers [] for no column metadata (a PHP empty array), an object otherwise
        n.set("columnMetadata", columnMetadata.isEmpty() ? F.arrayNode() : columnMetadata);
        if (bucket != null) {
            n.set("bucket", bucket(bucket));
        }
        return n;
    }

    public ObjectNode metadata(Metadata m) {
        return F.objectNode().put("id", String.valueOf(m.id())).put("key", m.key()).put("value", m.value())
                .put("provider", m.provider()).put("timestamp", Times.format(m.timestamp()));
    }

    public ObjectNode file(FileService.FileView view, boolean uploadParams) {
        StoredFile f = view.file();
        ObjectNode n = F.objectNode();
        n.put("id", f.id());
        n.put("created", Times.format(f.created()));
        n.put("isPublic", f.isPublic());
        n.put("isSliced", f.isSliced());
        n.put("isEncrypted", f.isEncrypted());
        n.put("name", f.name());
        n.put("url", view.url().toString());
        n.put("region", region);
        n.put("provider", "aws");
        if (f.sizeBytes() == null) {
            n.putNull("sizeBytes");
        } else {
            n.put("sizeBytes", f.sizeBytes());
        }
        n.put("fileType", f.fileType());
        ArrayNode tags = n.putArray("tags");
        f.tags().forEach(tags::add);
        if (f.isPermanent()) {
            n.putNull("maxAgeDays");
        } else {
            n.put("maxAgeDays", FileService.MAX_AGE_DAYS);
        }
        n.put("runId", f.runId());
        ArrayNode runIds = n.putArray("runIds");
        if (f.runId() != null) {
            runIds.add(f.runId());
        }
        n.putObject("creatorToken").put("id", f.creatorTokenId()).put("description", f.creatorTokenDescription());
        IssuedCredentials c = view.credentials();
        if (uploadParams) {
            ObjectNode up = n.putObject("uploadParams");
            up.put("key", f.key());
            up.put("bucket", s3Bucket);
            up.put("acl", "private");
            if (f.isEncrypted()) {
                up.put("x-amz-server-side-encryption", "AES256");
            }
            if (c != null) {
                up.set("credentials", credentials(c));
            }
            if (view.uploadUrl() != null) {
                // a store without STS: one plain PUT to this presigned URL instead of credentials
                up.put("url", view.uploadUrl().toString());
            }
        } else if (c != null) {
            n.putObject("s3Path").put("bucket", s3Bucket).put("key", f.key());
            n.set("credentials", credentials(c));
        }
        return n;
    }

    /** A workspace as Keboola shows one, without its password. */
    public ObjectNode workspace(Workspace w) {
        return workspace(w, null);
    }

    /**
     * A workspace; with {@code password} (only the answer of a create) its {@code connection} carries it. Every
     * connection field is a string, "" where the backend does not use it.
     */
    public ObjectNode workspace(Workspace w, String password) {
        ObjectNode n = F.objectNode();
        n.put("id", w.id());
        n.put("type", "table");
        n.put("name", w.name());
        n.put("component", w.component());
        n.put("configurationId", w.configurationId());
        n.putNull("configurationVersion");
        n.put("created", Times.format(w.created()));
        ObjectNode c = n.putObject("connection");
        w.connection().forEach(c::put);
        if (password != null) {
            c.put("password", password);
        }
        c.put("loginType", "default");
        n.putNull("backendSize");
        n.put("statementTimeoutSeconds", 0);
        n.putObject("creatorToken").put("id", w.creatorTokenId()).put("description", w.creatorTokenDescription());
        n.put("readOnlyStorageAccess", w.readOnlyStorageAccess());
        n.putNull("platformUsageType");
        return n;
    }

    public ObjectNode job(Job j) {
        ObjectNode n = F.objectNode();
        n.put("id", j.id());
        n.put("status", j.status().wire());
        n.put("url", apiUrl + "/jobs/" + j.id());
        n.put("tableId", j.tableId());
        n.put("operationName", j.operationName());
        n.set("operationParams", j.operationParams() == null ? F.objectNode() : j.operationParams());
        n.put("createdTime", Times.format(j.createdTime()));
        n.put("startTime", Times.format(j.startTime()));
        n.put("endTime", Times.format(j.endTime()));
        if (j.startTime() != null && j.endTime() != null) {
            n.put("runTime", Math.max(0, j.endTime().getEpochSecond() - j.startTime().getEpochSecond()));
        } else {
            n.putNull("runTime");
        }
        n.put("runId", j.runId());
        if (j.results() == null) {
            n.putNull("results");
        } else {
            n.set("results", j.results());
        }
        if (j.error() == null) {
            n.putNull("error");
        } else {
            n.putObject("error").put("code", j.error().code()).put("message", j.error().message())
                    .put("exceptionId", j.error().exceptionId());
        }
        n.putObject("creatorToken").put("id", String.valueOf(j.creatorTokenId()))
                .put("description", j.creatorTokenDescription());
        ObjectNode metrics = n.putObject("metrics");
        metrics.put("inCompressed", false).put("inBytes", 0).put("inBytesUncompressed", 0)
                .put("outCompressed", false).put("outBytes", 0).put("outBytesUncompressed", 0);
        if (j.status().wire().equals("processing")) {
            n.putObject("progress").put("bytes", j.progressBytes()).put("rows", j.progressRows());
        }
        return n;
    }

    private static ObjectNode credentials(IssuedCredentials c) {
        ObjectNode n = F.objectNode();
        n.put("AccessKeyId", c.accessKeyId());
        n.put("SecretAccessKey", c.secretAccessKey());
        n.put("SessionToken", c.sessionToken());
        n.put("Expiration", Times.formatCredentials(c.expiration()));
        return n;
    }
}
