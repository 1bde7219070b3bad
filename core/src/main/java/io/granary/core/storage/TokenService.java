package io.granary.core.storage;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Permission;
import io.granary.core.model.Token;
import io.granary.core.port.Catalog;
import io.granary.core.util.Secrets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tokens: authentication, the master token, and the token management calls. */
public final class TokenService {

    /** What a caller asks for when creating a token. Null fields take defaults. */
    public record TokenRequest(
            String description,
            Map<String, String> bucketPermissions,
            Boolean canManageBuckets,
            Boolean canReadAllFileUploads,
            Long expiresIn) {
    }

    /** A token together with its secret, which is shown only now. */
    public record TokenWithSecret(Token token, String secret) {
    }

    private final Catalog catalog;
    private final Clock clock;
    private final long projectId;

    public TokenService(Catalog catalog, Clock clock, long projectId) {
        this.catalog = catalog;
        this.clock = clock;
        this.projectId = projectId;
    }

    /** The token behind a secret; 401 when it is missing, unknown or expired. */
    public Token authenticate(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new GranaryException(ErrorCode.TOKEN_INVALID, "Access token must be set");
        }
        Token token = catalog.findTokenBySecretHash(Secrets.sha256Hex(secret.strip()))
                .orElseThrow(() -> new GranaryException(ErrorCode.TOKEN_INVALID, "Invalid access token"));
        if (token.isExpired(clock.instant())) {
            throw new GranaryException(ErrorCode.TOKEN_INVALID, "Invalid access token");
        }
        return token;
    }

    /**
     * Makes sure a master token exists. When none does, creates one from {@code givenSecret} (or a new
     * random secret) and returns the secret; when one exists, returns empty.
     */
    public Optional<String> ensureMasterToken(String givenSecret) {
        if (catalog.listTokens().stream().anyMatch(Token::isMasterToken)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Token master = catalog.insertToken(new Token(0, "Master Token", "pending-" + Secrets.random(20), true, true, true,
                true, Map.of(), now, null, null, null));
        // nodes starting together on one shared catalog: the lowest id wins, the others withdraw theirs
        long first = catalog.listTokens().stream().filter(Token::isMasterToken).mapToLong(Token::id).min()
                .orElse(master.id());
        if (first != master.id()) {
            catalog.deleteToken(master.id());
            return Optional.empty();
        }
        String secret = givenSecret != null && !givenSecret.isBlank() ? givenSecret.strip() : newSecret(master.id());
        catalog.updateTokenSecret(master.id(), Secrets.sha256Hex(secret), null);
        return Optional.of(secret);
    }

    public TokenWithSecret create(Token caller, TokenRequest request) {
        Instant now = clock.instant();
        String description = request.description() == null ? "" : request.description();
        if (description.length() > 255) {
            throw new GranaryException(ErrorCode.TOKENS_VALIDATION, "Token description can be at most 255 characters long.");
        }
        Instant expires = null;
        if (request.expiresIn() != null) {
            if (request.expiresIn() <= 0) {
                throw new GranaryException(ErrorCode.TOKENS_VALIDATION, "Minimal expiration must be greater or equal to 1 second(s)");
            }
            expires = now.plusSeconds(request.expiresIn());
        }
        Token draft;
        if (!caller.canManageTokens()) {
            // a token without canManageTokens may create only a minimal temporary token
            draft = new Token(0, description, pending(), false, false, false, false, Map.of(), now, null,
                    expires == null ? now.plusSeconds(3600) : expires, caller.id());
        } else {
            Map<String, Permission> permissions = parsePermissions(caller, request.bucketPermissions());
            draft = new Token(0, description, pending(), false, Boolean.TRUE.equals(request.canManageBuckets()), false,
                    Boolean.TRUE.equals(request.canReadAllFileUploads()), permissions, now, null, expires, caller.id());
        }
        Token stored = catalog.insertToken(draft);
        String secret = newSecret(stored.id());
        catalog.updateTokenSecret(stored.id(), Secrets.sha256Hex(secret), null);
        return new TokenWithSecret(catalog.findToken(stored.id()).orElseThrow(), secret);
    }

    public List<Token> list(Token caller) {
        if (caller.canManageTokens()) {
            return catalog.listTokens();
        }
        return List.of(caller);
    }

    public Token get(Token caller, long id) {
        if (!caller.canManageTokens() && caller.id() != id) {
            throw notFound(id);
        }
        return catalog.findToken(id).orElseThrow(() -> notFound(id));
    }

    public void delete(Token caller, long id) {
        Token target = get(caller, id);
        if (target.isMasterToken()) {
            throw new GranaryException(ErrorCode.ACCESS_DENIED, "Master token cannot be deleted.");
        }
        catalog.deleteToken(id);
    }

    public TokenWithSecret refresh(Token caller, long id) {
        Token target = get(caller, id);
        String secret = newSecret(target.id());
        catalog.updateTokenSecret(target.id(), Secrets.sha256Hex(secret), clock.instant());
        return new TokenWithSecret(catalog.findToken(id).orElseThrow(), secret);
    }

    private Map<String, Permission> parsePermissions(Token caller, Map<String, String> requested) {
        Map<String, Permission> out = new LinkedHashMap<>();
        if (requested == null) {
            return out;
        }
        for (Map.Entry<String, String> e : requested.entrySet()) {
            Permission p = Permission.parse(e.getValue());
            if (p == null || p == Permission.MANAGE) {
                throw new GranaryException(ErrorCode.TOKENS_INVALID_PERMISSIONS, "Invalid permission \"" + e.getValue()
                        + "\" for bucket \"" + e.getKey() + "\". Allowed permissions are: read, write.");
            }
            if (catalog.findBucket(e.getKey()).isEmpty() || !caller.can(e.getKey(), p)) {
                throw new GranaryException(ErrorCode.TOKENS_INVALID_PERMISSIONS,
                        "Bucket \"" + e.getKey() + "\" not found or you have no access to it.");
            }
            out.put(e.getKey(), p);
        }
        return out;
    }

    private String newSecret(long tokenId) {
        return projectId + "-" + tokenId + "-" + Secrets.random(40);
    }

    private static String pending() {
        return "pending-" + Secrets.random(20);
    }

    private static GranaryException notFound(long id) {
        return new GranaryException(ErrorCode.TOKENS_NOT_FOUND, "Token " + id + " not found.");
    }
}
