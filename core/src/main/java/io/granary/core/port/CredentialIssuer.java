package io.granary.core.port;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import java.time.Duration;

/**
 * Mints temporary object-store credentials limited to one key (or, with {@code prefix}, every key
 * starting with it) of the store's bucket. Requests with them on any other key, or after they expire,
 * or for another kind of access, are refused by the object store.
 *
 * <p>Some stores cannot scope credentials at all (no STS). Their issuer is {@link #presignedOnly()}:
 * {@link #mintsCredentials()} is false and clients are handed presigned URLs instead
 * ({@link ObjectStore#presignPut}, {@link ObjectStore#presignGet}).
 */
public interface CredentialIssuer {

    /**
     * Credentials for {@code access} on {@code key} (or every key under it with {@code prefix}) that expire
     * after about {@code ttl}; an issuer may shorten or lengthen the lifetime to what its store allows, the
     * returned {@link IssuedCredentials#expiration()} is the one in force.
     *
     * @throws UnsupportedOperationException when {@link #mintsCredentials()} is false
     * @throws IllegalArgumentException when {@code ttl} is null, zero or negative
     */
    IssuedCredentials issue(String key, boolean prefix, Access access, Duration ttl);

    /**
     * Whether {@link #issue} mints anything. False for a store without a way to scope credentials: callers
     * must then offer presigned URLs (a single PUT per object, a GET per object) and refuse what needs
     * credentials, such as sliced uploads.
     */
    default boolean mintsCredentials() {
        return true;
    }

    /** The issuer of a store that mints no credentials: {@link #mintsCredentials()} is false. */
    static CredentialIssuer presignedOnly() {
        return PresignedOnly.INSTANCE;
    }

    /** See {@link #presignedOnly()}. */
    final class PresignedOnly implements CredentialIssuer {

        private static final PresignedOnly INSTANCE = new PresignedOnly();

        private PresignedOnly() {
        }

        @Override
        public IssuedCredentials issue(String key, boolean prefix, Access access, Duration ttl) {
            throw new UnsupportedOperationException("This object store mints no credentials (presigned URLs only)");
        }

        @Override
        public boolean mintsCredentials() {
            return false;
        }

        @Override
        public String toString() {
            return "CredentialIssuer.presignedOnly()";
        }
    }
}
