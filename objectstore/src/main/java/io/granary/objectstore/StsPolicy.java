package io.granary.objectstore;

import io.granary.core.model.Access;
import java.util.Locale;
import java.util.Objects;

/**
 * The inline session policy sent with STS {@code GetFederationToken} and {@code AssumeRole}: the minted
 * credentials may do exactly what an embedded-store credential may, on exactly its key(s). The effective
 * permissions are the intersection of this policy and those of the server's own user or role, so the
 * policy never widens them.
 *
 * <ul>
 * <li>{@link Access#UPLOAD}: {@code s3:PutObject} (PutObject and every step of a multipart upload but the
 *     two below), {@code s3:AbortMultipartUpload}, {@code s3:ListMultipartUploadParts};</li>
 * <li>{@link Access#DOWNLOAD}: {@code s3:GetObject} (GetObject, ranged GETs and HeadObject).</li>
 * </ul>
 * on {@code arn:<partition>:s3:::<bucket>/<key>}, or {@code …/<key>*} for a prefix. No bucket-level action
 * (ListBucket, …) is allowed. Keys holding IAM wildcards ({@code *}, {@code ?}) or a policy variable
 * ({@code $}) are refused: they would widen the resource.
 */
final class StsPolicy {

    private StsPolicy() {
    }

    /** The policy as compact JSON (STS counts its packed size; this one stays far below the 2048-byte limit). */
    static String of(String partition, String bucket, String key, boolean prefix, Access access) {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(access, "access");
        if (key == null || (!prefix && key.isEmpty())) {
            throw new IllegalArgumentException("A credential needs a key");
        }
        if (key.indexOf('*') >= 0 || key.indexOf('?') >= 0 || key.indexOf('$') >= 0) {
            throw new IllegalArgumentException("Key '" + key + "' holds an IAM wildcard or policy variable");
        }
        String actions = access == Access.UPLOAD
                ? "\"s3:PutObject\",\"s3:AbortMultipartUpload\",\"s3:ListMultipartUploadParts\""
                : "\"s3:GetObject\"";
        String resource = "arn:" + partition + ":s3:::" + bucket + "/" + key + (prefix ? "*" : "");
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" + actions
                + "],\"Resource\":[" + jsonString(resource) + "]}]}";
    }

    /** The ARN partition of a region: {@code aws-cn} for China, {@code aws-us-gov} for GovCloud, else {@code aws}. */
    static String partition(String region) {
        String r = region == null ? "" : region.toLowerCase(Locale.ROOT);
        if (r.startsWith("cn-")) {
            return "aws-cn";
        }
        if (r.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        return "aws";
    }

    private static String jsonString(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
