package io.granary.objectstore;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.port.EngineAccess;
import io.granary.core.port.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link ObjectStore} over any S3-compatible endpoint, the embedded one included, or AWS S3 itself.
 * Uploads of unknown length go up as multipart uploads of {@link #PART_SIZE} parts, so at most one part is
 * held in memory; everything else streams. Table engines that reach the bucket themselves get its address
 * and a key from {@link #engineEndpoint()}.
 */
public final class S3ObjectStore implements ObjectStore, EngineAccess {

    /** Size of each part when the length of an upload is not known. */
    public static final int PART_SIZE = 8 * 1024 * 1024;
    private static final int DELETE_BATCH = 1000;
    private static final int LIST_PAGE = 1000;

    private final URI endpoint;
    private final URI publicEndpoint;
    private final String bucket;
    private final String region;
    private final String accessKey;
    private final EngineAccess.S3Endpoint engineKey;
    private final LocalBucket localBucket;
    private final S3Client client;
    private final S3Presigner presigner;
    /** The same URLs, signed without the presigner's pipeline, where the endpoint is path-style; else null. */
    private final PathStylePresigner pathStylePresigner;

    /**
     * @param endpoint S3 endpoint, e.g. {@code http://127.0.0.1:9000}
     * @param bucket the bucket holding every object
     * @param region signing region; null or blank means "us-east-1"
     * @param accessKey access key with full access to the bucket
     * @param secretKey its secret
     * @param localRoot for the embedded store, the directory whose sub-directory {@code bucket} holds the
     *     objects as files; null for a remote store
     */
    public S3ObjectStore(URI endpoint, String bucket, String region, String accessKey, String secretKey,
            Path localRoot) {
        this(endpoint, endpoint, bucket, region, accessKey, secretKey, localRoot);
    }

    /**
     * As above, with a different endpoint for clients: {@link #endpoint()} and presigned URLs use
     * {@code publicEndpoint}, while Granary itself talks to {@code endpoint}.
     */
    public S3ObjectStore(URI endpoint, URI publicEndpoint, String bucket, String region, String accessKey,
            String secretKey, Path localRoot) {
        this(Objects.requireNonNull(endpoint, "endpoint"), Objects.requireNonNull(publicEndpoint, "publicEndpoint"),
                bucket, region, accessKey, secretKey, true, localRoot);
    }

    /**
     * Any store, AWS S3 included.
     *
     * @param endpoint S3 endpoint Granary talks to; null for AWS S3, whose regional endpoint the SDK picks
     * @param publicEndpoint endpoint for clients ({@link #endpoint()}, presigned URLs); null means {@code endpoint}
     * @param pathStyle {@code https://host/bucket/key} addressing (MinIO, Ceph, the embedded store) rather than
     *     virtual-host {@code https://bucket.host/key} (AWS S3's default)
     */
    public S3ObjectStore(URI endpoint, URI publicEndpoint, String bucket, String region, String accessKey,
            String secretKey, boolean pathStyle, Path localRoot) {
        this(endpoint, publicEndpoint, bucket, region, accessKey, secretKey, pathStyle, localRoot, null, null);
    }

    /**
     * A store on a Granary S3 endpoint (the embedded one, or {@code granary s3}) whose system key is given:
     * presigned URLs are signed with the endpoint's presign key, which may only read or put an object, and
     * only while the file owning it exists ({@link ScopedBlobStoreLocator}).
     */
    static S3ObjectStore onGranaryEndpoint(URI endpoint, URI publicEndpoint, String bucket, String region,
            String systemAccessKey, String systemSecret, boolean pathStyle, Path localRoot) {
        return new S3ObjectStore(Objects.requireNonNull(endpoint, "endpoint"), publicEndpoint, bucket, region,
                systemAccessKey, systemSecret, pathStyle, localRoot, AwsBasicCredentials.create(
                        ScopedBlobStoreLocator.presignAccessKey(systemAccessKey),
                        ScopedBlobStoreLocator.presignSecret(systemAccessKey, systemSecret)),
                AwsBasicCredentials.create(ScopedBlobStoreLocator.engineAccessKey(systemAccessKey),
                        ScopedBlobStoreLocator.engineSecret(systemAccessKey, systemSecret)));
    }

    private S3ObjectStore(URI endpoint, URI publicEndpoint, String bucket, String region, String accessKey,
            String secretKey, boolean pathStyle, Path localRoot, AwsBasicCredentials presignCredentials,
            AwsBasicCredentials engineCredentials) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.region = region == null || region.isBlank() ? "us-east-1" : region;
        this.endpoint = endpoint;
        // on Granary's endpoints an engine gets a key of its own, never the system secret minted keys derive from
        this.engineKey = engineCredentials == null
                ? new EngineAccess.S3Endpoint(endpoint, this.region, bucket, pathStyle, accessKey, secretKey)
                : new EngineAccess.S3Endpoint(endpoint, this.region, bucket, pathStyle, engineCredentials.accessKeyId(),
                        engineCredentials.secretAccessKey());
        this.publicEndpoint = publicEndpoint != null ? publicEndpoint : endpoint;
        this.localBucket = localRoot == null ? null : new LocalBucket(localRoot.toAbsolutePath().normalize().resolve(bucket));
        this.accessKey = accessKey;
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        var clientBuilder = S3Client.builder();
        if (endpoint != null) {
            clientBuilder.endpointOverride(endpoint);
        }
        this.client = clientBuilder
                .region(Region.of(this.region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                // only what every S3 implementation accepts: some reject the newer flexible checksums
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Apache checks pooled connections before reuse; the URL-connection client could send on one the
                // endpoint had closed, and a retried upload from a stream cannot be replayed
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
        AwsBasicCredentials signing = presignCredentials != null ? presignCredentials
                : AwsBasicCredentials.create(accessKey, secretKey);
        this.pathStylePresigner = pathStyle && this.publicEndpoint != null
                ? new PathStylePresigner(this.publicEndpoint, bucket, this.region, signing) : null;
        var presignerBuilder = S3Presigner.builder();
        if (this.publicEndpoint != null) {
            presignerBuilder.endpointOverride(this.publicEndpoint);
        }
        this.presigner = presignerBuilder
                .region(Region.of(this.region))
                .credentialsProvider(presignCredentials == null ? credentials
                        : StaticCredentialsProvider.create(presignCredentials))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build())
                .build();
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public String region() {
        return region;
    }

    /** The endpoint Granary itself talks to (not the public one) and a key with full access to the bucket. */
    @Override
    public EngineAccess.S3Endpoint engineEndpoint() {
        return engineKey;
    }

    /** The endpoint for clients; for AWS S3 (no endpoint configured) the region's {@code https://s3.<region>.amazonaws.com}. */
    @Override
    public URI endpoint() {
        return publicEndpoint != null ? publicEndpoint : URI.create("https://s3." + region + ".amazonaws.com");
    }

    @Override
    public void putFile(String key, Path file) {
        call("upload", key, () -> client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file)));
    }

    @Override
    public void put(String key, InputStream data, long length) {
        if (length >= 0) {
            call("upload", key, () -> client.putObject(b -> b.bucket(bucket).key(key).contentLength(length),
                    RequestBody.fromInputStream(data, length)));
            return;
        }
        byte[] buffer = new byte[PART_SIZE];
        int filled = fill(key, data, buffer);
        if (filled < PART_SIZE) {
            // fits in one part: a plain PutObject is cheaper than a multipart upload
            putPart(key, buffer, filled);
            return;
        }
        putMultipart(key, data, buffer);
    }

    private void putPart(String key, byte[] buffer, int length) {
        call("upload", key, () -> client.putObject(b -> b.bucket(bucket).key(key).contentLength((long) length),
                bytes(buffer, length)));
    }

    private void putMultipart(String key, InputStream data, byte[] buffer) {
        String uploadId = call("upload", key,
                () -> client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId());
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int filled = PART_SIZE;
            while (filled > 0) {
                int partNumber = parts.size() + 1;
                int length = filled;
                String eTag = call("upload", key, () -> client.uploadPart(b -> b.bucket(bucket).key(key)
                        .uploadId(uploadId).partNumber(partNumber).contentLength((long) length),
                        bytes(buffer, length)).eTag());
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
                filled = fill(key, data, buffer);
            }
            call("upload", key, () -> client.completeMultipartUpload(b -> b.bucket(bucket).key(key)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
        } catch (RuntimeException e) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }

    /** A body the SDK can re-read on retry without copying the buffer. */
    private static RequestBody bytes(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                "application/octet-stream");
    }

    /** Reads until the buffer is full or the stream ends; returns how many bytes were read. */
    private static int fill(String key, InputStream data, byte[] buffer) {
        try {
            return data.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Reading the data for object " + key + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Optional<InputStream> open(String key) {
        try {
            return Optional.of(client.getObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("download", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Optional<Path> local = localPath(key);
        if (local.isPresent()) {
            // the embedded store's own file: a HEAD through its HTTP endpoint cost a small job a few ms
            try {
                BasicFileAttributes attrs = Files.readAttributes(local.get(), BasicFileAttributes.class);
                return Optional.of(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
            } catch (IOException gone) {
                // removed meanwhile: ask the store
            }
        }
        try {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (AwsServiceException e) {
            // HEAD responses carry no error body, so a missing key shows up only as its status
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("stat", key, e);
        } catch (SdkException e) {
            throw failure("stat", key, e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        return call("list", prefix, () -> {
            List<ObjectInfo> result = new ArrayList<>();
            for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                result.add(new ObjectInfo(o.key(), o.size(), o.lastModified()));
            }
            return result;
        });
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("A listing needs a positive limit");
        }
        return call("list", prefix, () -> {
            List<ObjectInfo> result = new ArrayList<>();
            String continuation = null;
            do {
                String token = continuation;
                int pageSize = Math.min(LIST_PAGE, limit - result.size());
                ListObjectsV2Response page = client.listObjectsV2(b -> {
                    b.bucket(bucket).prefix(prefix).maxKeys(pageSize);
                    if (token != null) {
                        b.continuationToken(token);
                    } else if (startAfter != null) {
                        b.startAfter(startAfter);
                    }
                });
                for (S3Object o : page.contents()) {
                    if (result.size() < limit) {
                        result.add(new ObjectInfo(o.key(), o.size(), o.lastModified()));
                    }
                }
                continuation = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (continuation != null && result.size() < limit);
            return result;
        });
    }

    @Override
    public void delete(String key) {
        if (localBucket != null) {
            // the embedded store's object is a file here: a round trip through its own HTTP endpoint cost 2-5 ms
            localBucket.delete(key);
            return;
        }
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            // already gone
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public void deletePrefix(String prefix) {
        List<ObjectInfo> objects = list(prefix);
        for (int from = 0; from < objects.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = objects.subList(from, Math.min(objects.size(), from + DELETE_BATCH))
                    .stream().map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            DeleteObjectsResponse response = call("delete", prefix, () -> client.deleteObjects(
                    b -> b.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build())));
            if (response.hasErrors() && !response.errors().isEmpty()) {
                var error = response.errors().get(0);
                throw new GranaryException(ErrorCode.INTERNAL, "Object store delete of " + error.key()
                        + " failed: " + error.code() + " " + error.message());
            }
        }
    }

    @Override
    public Optional<Path> localPath(String key) {
        return localBucket == null ? Optional.empty() : localBucket.existing(key);
    }

    /** On the embedded store the file is moved into the bucket's directory, not sent through HTTP. */
    @Override
    public void moveFile(String key, Path file) {
        if (localBucket == null) {
            ObjectStore.super.moveFile(key, file);
            return;
        }
        localBucket.moveIn(key, file);
    }

    @Override
    public URI presignGet(String key, Duration ttl) {
        try {
            if (pathStylePresigner != null) {
                return pathStylePresigner.presign(SdkHttpMethod.GET, key, ttl);
            }
            return presigner.presignGetObject(b -> b.signatureDuration(ttl)
                    .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Presigned URL for object " + key + " is invalid", e);
        } catch (SdkException e) {
            throw failure("presign", key, e);
        }
    }

    @Override
    public URI presignPut(String key, Duration ttl) {
        try {
            // only the host is signed: a plain PUT with any Content-Type (and no x-amz-* headers) matches
            if (pathStylePresigner != null) {
                return pathStylePresigner.presign(SdkHttpMethod.PUT, key, ttl);
            }
            return presigner.presignPutObject(b -> b.signatureDuration(ttl)
                    .putObjectRequest(p -> p.bucket(bucket).key(key))).url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Presigned URL for object " + key + " is invalid", e);
        } catch (SdkException e) {
            throw failure("presign", key, e);
        }
    }

    @Override
    public boolean isHealthy() {
        try {
            client.headBucket(b -> b.bucket(bucket));
            return true;
        } catch (SdkException e) {
            return false;
        }
    }

    /**
     * Fails unless the bucket exists and the key may use it, with a message naming endpoint and bucket
     * (for a check at start).
     *
     * @throws IllegalStateException when the bucket is missing, refused, elsewhere, or the endpoint unreachable
     */
    void checkBucket() {
        String what = "Bucket '" + bucket + "' at " + where();
        try {
            client.headBucket(b -> b.bucket(bucket));
        } catch (AwsServiceException e) {
            String detail = switch (e.statusCode()) {
                case 404 -> " does not exist: create it first";
                case 403 -> " refuses access key " + accessKey + " (it needs s3:ListBucket and object access on the "
                        + "bucket, and the right secret)";
                case 301, 307 -> " is in another region than " + region + (e.awsErrorDetails() == null ? ""
                        : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region")
                                .map(r -> " (it is in " + r + ")").orElse(""));
                default -> " cannot be checked: HTTP " + e.statusCode();
            };
            throw new IllegalStateException(what + detail, e);
        } catch (SdkException e) {
            throw new IllegalStateException(what + " cannot be reached: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + where() + "/" + bucket + "]";
    }

    /** The endpoint Granary talks to, for messages. */
    String where() {
        return endpoint != null ? endpoint.toString() : "AWS S3 (" + region + ")";
    }

    private interface Call<T> {
        T run();
    }

    private <T> T call(String operation, String key, Call<T> call) {
        try {
            return call.run();
        } catch (SdkException e) {
            throw failure(operation, key, e);
        }
    }

    /** A message naming the operation, key and S3's answer; SDK messages never include credentials. */
    private GranaryException failure(String operation, String key, SdkException e) {
        String reason;
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            reason = "HTTP " + service.statusCode() + " " + service.awsErrorDetails().errorCode();
        } else if (e instanceof AwsServiceException service) {
            reason = "HTTP " + service.statusCode();
        } else {
            reason = e.getMessage();
        }
        return new GranaryException(ErrorCode.INTERNAL,
                "Object store " + operation + " of '" + key + "' in bucket " + bucket + " at " + where()
                        + " failed: " + reason, e);
    }
}
