package io.granary.objectstore;

import java.util.HashSet;
import java.util.Set;

/** Names an S3 request by the API operation it is, from its method, shape and query string only. */
final class S3Operations {

    private S3Operations() {
    }

    static String name(String method, boolean hasBucket, boolean hasKey, String query, boolean copySource) {
        Set<String> params = new HashSet<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            params.add(eq < 0 ? pair : pair.substring(0, eq));
        }
        if (method.equals("OPTIONS")) {
            return "Preflight";
        }
        if (!hasBucket) {
            return method.equals("GET") ? "ListBuckets" : "Other";
        }
        return hasKey ? objectOperation(method, params, copySource) : bucketOperation(method, params);
    }

    private static String objectOperation(String method, Set<String> params, boolean copySource) {
        boolean upload = params.contains("uploadId");
        return switch (method) {
            case "GET" -> upload ? "ListParts" : "GetObject";
            case "HEAD" -> "HeadObject";
            case "PUT" -> upload ? (copySource ? "UploadPartCopy" : "UploadPart") : copySource ? "CopyObject" : "PutObject";
            case "POST" -> params.contains("uploads") ? "CreateMultipartUpload"
                    : upload ? "CompleteMultipartUpload" : "Other";
            case "DELETE" -> upload ? "AbortMultipartUpload" : "DeleteObject";
            default -> "Other";
        };
    }

    private static String bucketOperation(String method, Set<String> params) {
        return switch (method) {
            case "GET" -> params.contains("uploads") ? "ListMultipartUploads"
                    : params.contains("location") ? "GetBucketLocation"
                    : params.contains("list-type") ? "ListObjectsV2" : "ListObjects";
            case "HEAD" -> "HeadBucket";
            case "PUT" -> "CreateBucket";
            case "DELETE" -> "DeleteBucket";
            case "POST" -> params.contains("delete") ? "DeleteObjects" : "Other";
            default -> "Other";
        };
    }
}
