package io.granary.objectstore;

import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.BlobAccess;
import org.gaul.s3proxy.blobstore.domain.ContainerAccess;

/**
 * Makes every container and object private whatever the filesystem says. The filesystem store derives
 * "public-read" from POSIX permissions, so a file created under a permissive umask (or uploaded with
 * {@code x-amz-acl: public-read}) would otherwise be served to anonymous requests.
 */
final class PrivateBlobStore extends ForwardingBlobStore {

    PrivateBlobStore(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public ContainerAccess getContainerAccess(String container) {
        return ContainerAccess.PRIVATE;
    }

    @Override
    public void setContainerAccess(String container, ContainerAccess access) {
        // ignored: nothing in Granary's bucket is ever public
    }

    @Override
    public BlobAccess getBlobAccess(String container, String name) {
        return BlobAccess.PRIVATE;
    }

    @Override
    public void setBlobAccess(String container, String name, BlobAccess access) {
        // ignored: nothing in Granary's bucket is ever public
    }
}
