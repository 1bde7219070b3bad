package io.granary.sqlite;

import io.granary.core.model.Token;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Tokens by secret hash, as last read, for a catalog that alone changes its tokens: any change of a token forgets
 * them all (tokens change rarely; requests look one up every time). Unknown secrets are not kept, so guessing
 * cannot fill it. Expiry is not its business: callers check it on the token on every use.
 */
final class TokenCache {

    private static final int MAX_TOKENS = 1024;

    private final Map<String, Token> bySecretHash = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Token> eldest) {
            return size() > MAX_TOKENS;
        }
    };
    /** Bumped by every change, so a read that raced a change is not kept. */
    private long version;

    Optional<Token> find(String secretHash, Supplier<Optional<Token>> load) {
        long seen;
        synchronized (this) {
            Token cached = bySecretHash.get(secretHash);
            if (cached != null) {
                return Optional.of(cached);
            }
            seen = version;
        }
        Optional<Token> loaded = load.get();
        synchronized (this) {
            if (loaded.isPresent() && version == seen) {
                bySecretHash.put(secretHash, loaded.get());
            }
        }
        return loaded;
    }

    /** Runs a change of tokens, then forgets every token (also when the change failed half-way: nothing stale stays). */
    <T> T changing(Supplier<T> change) {
        try {
            return change.get();
        } finally {
            synchronized (this) {
                version++;
                bySecretHash.clear();
            }
        }
    }
}
