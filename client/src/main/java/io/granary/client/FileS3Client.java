package io.granary.client;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One file's view of a shared S3 client: every call it makes carries that file's credentials. Building an S3
 * client costs about a millisecond of resolving defaults, which a small upload paid once per file; one client per
 * region is shared and the credentials go with each request instead. Only the calls transfers make are offered
 * (the others throw); closing leaves the shared client open.
 */
final class FileS3Client implements S3Client {

    private final S3Client shared;
    private final AwsRequestOverrideConfiguration credentials;

    FileS3Client(S3Client shared, AwsCredentialsProvider credentials) {
        this.shared = shared;
        this.credentials = AwsRequestOverrideConfiguration.builder().credentialsProvider(credentials).build();
    }

    @Override
    public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
        return shared.putObject(request.toBuilder().overrideConfiguration(credentials).build(), body);
    }

    @Override
    public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
        return shared.createMultipartUpload(request.toBuilder().overrideConfiguration(credentials).build());
    }

    @Override
    public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
        return shared.uploadPart(request.toBuilder().overrideConfiguration(credentials).build(), body);
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest request) {
        return shared.completeMultipartUpload(request.toBuilder().overrideConfiguration(credentials).build());
    }

    @Override
    public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
        return shared.abortMultipartUpload(request.toBuilder().overrideConfiguration(credentials).build());
    }

    @Override
    public HeadObjectResponse headObject(HeadObjectRequest request) {
        return shared.headObject(request.toBuilder().overrideConfiguration(credentials).build());
    }

    @Override
    public <T> T getObject(GetObjectRequest request, ResponseTransformer<GetObjectResponse, T> transformer) {
        return shared.getObject(request.toBuilder().overrideConfiguration(credentials).build(), transformer);
    }

    @Override
    public String serviceName() {
        return shared.serviceName();
    }

    @Override
    public void close() {
        // the shared client lives as long as the StorageClient
    }
}
