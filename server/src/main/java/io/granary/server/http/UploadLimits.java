package io.granary.server.http;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;

/**
 * The limits of multipart/form-data requests. Parts are parsed as they stream in (file parts spooled to disk
 * past 1 MiB, never held whole in memory); the parser stops at the first part over its limit, before any route
 * has stored anything, and its failure becomes a 413 here.
 */
public final class UploadLimits {

    /** The largest text field (a part without a file name) a multipart request may carry; Jetty holds these in memory. */
    public static final int MAX_FIELD_BYTES = 1 << 20;

    private final long maxFileBytes;

    public UploadLimits(long maxFileBytes) {
        this.maxFileBytes = maxFileBytes;
    }

    public long maxFileBytes() {
        return maxFileBytes;
    }

    /** The 413 for {@code failure} when the multipart parser gave up on a limit; null for any other failure. */
    public GranaryException tooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            // Jetty's MultiPartFormData words its limits so (IllegalStateException, wrapped by the servlet layer)
            if (message.contains("max file size exceeded")) {
                return new GranaryException(ErrorCode.TOO_LARGE, "The uploaded file is larger than the upload limit of "
                        + size(maxFileBytes) + ": upload larger files to File Storage (POST /v2/storage/files/prepare,"
                        + " then to S3) and import them from there.");
            }
            if (message.contains("max memory file size exceeded")) {
                return new GranaryException(ErrorCode.TOO_LARGE, "A form field is larger than the limit of "
                        + size(MAX_FIELD_BYTES) + ": send data as a file part (with a file name) instead.");
            }
        }
        return null;
    }

    /** A size as people write it: 2 GiB, 256 KiB, 1000 bytes. */
    static String size(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes >= unit && bytes % unit == 0) {
                return (bytes / unit) + " " + units[i];
            }
        }
        return bytes + " bytes";
    }
}
