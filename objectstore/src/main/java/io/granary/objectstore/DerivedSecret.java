package io.granary.objectstore;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret of a minted credential, computed from its access key id so that it never has to be stored:
 * URL-safe Base64 of the first 30 bytes of HMAC-SHA256(systemSecret, accessKeyId), i.e. 40 characters.
 */
final class DerivedSecret {

    private DerivedSecret() {
    }

    static String of(String systemSecret, String accessKeyId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(systemSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(accessKeyId.getBytes(StandardCharsets.UTF_8));
            // 30 bytes encode to exactly 40 characters, the length of an AWS secret key, with no padding
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 30));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }
}
