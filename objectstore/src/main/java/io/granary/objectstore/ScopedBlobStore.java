package io.granary.objectstore;

import com.google.common.hash.HashCode;
import io.granary.core.model.Access;
import java.io.InputStream;
import java.util.Date;
import java.util.List;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.HttpResponse;
import org.gaul.s3proxy.blobstore.HttpResponseException;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.domain.BlobAccess;
import org.gaul.s3proxy.blobstore.domain.BlobMetadata;
import org.gaul.s3proxy.blobstore.domain.ContainerAccess;
import org.gaul.s3proxy.blobstore.domain.MultipartPart;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.gaul.s3proxy.blobstore.domain.PageSet;
import org.gaul.s3proxy.blobstore.domain.StorageMetadata;
import org.gaul.s3proxy.blobstore.options.CopyOptions;
import org.gaul.s3proxy.blobstore.options.CreateContainerOptions;
import org.gaul.s3proxy.blobstore.options.GetOptions;
import org.gaul.s3proxy.blobstore.options.ListContainerOptions;
import org.gaul.s3proxy.blobstore.options.PutOptions;

/**
 * The blob store a minted credential or a presigned URL sees. The locator has already checked that the
 * request names a key the credential covers; this class limits what may be done to it. UPLOAD allows
 * PutObject and the multipart operations, DOWNLOAD allows GetObject/HeadObject, PRESIGNED (Granary's own
 * presigned URLs) allows GetObject/HeadObject and a single PutObject, and each answers a browser's CORS
 * preflight; everything else answers 403 AccessDenied.
 *
 * <p>S3Proxy keeps multipart state for the filesystem store in hidden blobs (a stub per upload and a
 * blob per part) which it reads and removes itself while serving an upload; those internal names are
 * let through for UPLOAD. Clients cannot address them: the locator refuses keys with those prefixes.
 */
final class ScopedBlobStore extends ForwardingBlobStore {

    /** What a request may do. */
    enum Rights {
        UPLOAD, DOWNLOAD, PRESIGNED, NONE;

        static Rights of(Access access) {
            return access == Access.UPLOAD ? UPLOAD : DOWNLOAD;
        }
    }

    /** S3ProxyHandler's stub per multipart upload. */
    static final String STUB_PREFIX = ".s3proxy-mpu-stub-";
    /** AbstractNio2BlobStore's parts and per-upload marker. */
    static final String PARTS_PREFIX = ".mpus-";

    private final Rights rights;

    ScopedBlobStore(BlobStore delegate, Rights rights) {
        super(delegate);
        this.rights = rights;
    }

    static boolean isInternalName(String name) {
        return name.startsWith(STUB_PREFIX) || name.startsWith(PARTS_PREFIX);
    }

    private boolean uploadInternal(String name) {
        return rights == Rights.UPLOAD && isInternalName(name);
    }

    private void require(boolean allowed) {
        if (!allowed) {
            throw new HttpResponseException("access denied", new HttpResponse(403));
        }
    }

    private void requireUpload() {
        require(rights == Rights.UPLOAD);
    }

    private void requireRead(String name) {
        require(rights == Rights.DOWNLOAD || rights == Rights.PRESIGNED || uploadInternal(name));
    }

    @Override
    public void close() {
        // the shared store outlives every request
    }

    @Override
    public PageSet<? extends StorageMetadata> list() {
        require(false);
        return null;
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        require(false);
        return null;
    }

    // A browser's CORS preflight (OPTIONS) of a presigned URL reaches S3Proxy as a request of that key, which
    // answers it after asking only whether the bucket exists; a covered key may know that much.
    @Override
    public boolean containerExists(String container) {
        require(rights != Rights.NONE);
        return super.containerExists(container);
    }

    @Override
    public boolean createContainer(String container, CreateContainerOptions options) {
        require(false);
        return false;
    }

    @Override
    public ContainerAccess getContainerAccess(String container) {
        require(false);
        return null;
    }

    @Override
    public void setContainerAccess(String container, ContainerAccess containerAccess) {
        require(false);
    }

    @Override
    public void clearContainer(String container, ListContainerOptions options) {
        require(false);
    }

    @Override
    public void deleteContainer(String container) {
        require(false);
    }

    @Override
    public boolean deleteContainerIfEmpty(String container) {
        require(false);
        return false;
    }

    @Override
    public boolean blobExists(String container, String name) {
        requireRead(name);
        return super.blobExists(container, name);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        require(rights == Rights.UPLOAD || rights == Rights.PRESIGNED);
        return super.putBlob(container, blob, options);
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName,
            CopyOptions options) {
        require(false);
        return null;
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        requireRead(name);
        return super.blobMetadata(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        requireRead(name);
        return super.getBlob(container, name, options);
    }

    @Override
    public void removeBlob(String container, String name) {
        require(uploadInternal(name));
        super.removeBlob(container, name);
    }

    @Override
    public void removeBlobs(String container, Iterable<String> names) {
        require(false);
    }

    @Override
    public BlobAccess getBlobAccess(String container, String name) {
        requireRead(name);
        return super.getBlobAccess(container, name);
    }

    @Override
    public void setBlobAccess(String container, String name, BlobAccess blobAccess) {
        require(false);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(String container, BlobMetadata blobMetadata, PutOptions options) {
        requireUpload();
        return super.initiateMultipartUpload(container, blobMetadata, options);
    }

    @Override
    public void abortMultipartUpload(MultipartUpload mpu) {
        requireUpload();
        super.abortMultipartUpload(mpu);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
        requireUpload();
        return super.completeMultipartUpload(mpu, parts);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, InputStream is,
            long contentLength, HashCode contentMD5) {
        requireUpload();
        return super.uploadMultipartPart(mpu, partNumber, is, contentLength, contentMD5);
    }

    @Override
    public boolean supportsCopyMultipartPart() {
        return false;
    }

    @Override
    public MultipartPart copyMultipartPart(MultipartUpload mpu, int partNumber, String sourceContainer,
            String sourceName, String copySourceRange, String ifMatch, String ifNoneMatch, Date ifModifiedSince,
            Date ifUnmodifiedSince) {
        require(false);
        return null;
    }

    @Override
    public List<MultipartPart> listMultipartUpload(MultipartUpload mpu) {
        requireUpload();
        return super.listMultipartUpload(mpu);
    }

    @Override
    public List<MultipartUpload> listMultipartUploads(String container) {
        require(false);
        return null;
    }
}
