package io.granary.objectstore;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.model.ScopedCredential;
import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;

/**
 * Mints credentials for the embedded S3 endpoint: an STS-looking access key id, a random session token
 * and a secret derived from the id with the system secret (so only the id and scope are stored, in the
 * catalog). {@link ScopedBlobStoreLocator} enforces them.
 */
public final class EmbeddedCredentialIssuer implements CredentialIssuer {

    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Catalog catalog;
    private final String bucket;
    private final String systemSecret;
    private final Clock clock;

    /**
     * @param catalog where minted credentials are recorded
     * @param bucket the store's bucket, the only one credentials are minted for
     * @param systemSecret the embedded endpoint's system secret (see {@link EmbeddedS3.Config})
     */
    public EmbeddedCredentialIssuer(Catalog catalog, String bucket, String systemSecret) {
        this(catalog, bucket, systemSecret, Clock.systemUTC());
    }

    public EmbeddedCredentialIssuer(Catalog catalog, String bucket, String systemSecret, Clock clock) {
        this.catalog = Objects.requireNonNull(catalog);
        this.bucket = Objects.requireNonNull(bucket);
        this.systemSecret = Objects.requireNonNull(systemSecret);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public IssuedCredentials issue(String key, boolean prefix, Access access, Duration ttl) {
        Objects.requireNonNull(access, "access");
        if (key == null || (!prefix && key.isEmpty())) {
            throw new IllegalArgumentException("A credential needs a key");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("A credential needs a positive lifetime");
        }
        String accessKeyId = "ASIA" + randomKeyChars(16);
        String sessionToken = randomToken(48);
        // millisecond precision: what the catalog keeps, so the client sees the expiry that is enforced
        Instant expiration = clock.instant().plus(ttl).truncatedTo(ChronoUnit.MILLIS);
        catalog.insertCredential(new ScopedCredential(accessKeyId, sessionToken, bucket, key, prefix, access, expiration));
        return new IssuedCredentials(accessKeyId, DerivedSecret.of(systemSecret, accessKeyId), sessionToken, expiration);
    }

    private static String randomKeyChars(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(KEY_ALPHABET.charAt(RANDOM.nextInt(KEY_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** {@code bytes} random bytes as Base64 (48 bytes give 64 characters, no padding). */
    private static String randomToken(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return Base64.getEncoder().encodeToString(buffer);
    }
}
