package io.granary.core.model;

/** What a minted object-store credential may do on its key(s). */
public enum Access {
    /** PutObject and multipart upload. */
    UPLOAD,
    /** GetObject and HeadObject (ranged reads included). */
    DOWNLOAD
}
