package io.granary.core.model;

import java.time.Instant;

/** Temporary S3 credentials as handed to a client (AWS STS shape). */
public record IssuedCredentials(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
}
