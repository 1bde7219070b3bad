package io.granary.core.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;

/**
 * Typed job requests as the JSON a job queue stores: record components by name, times as ISO 8601. Unknown
 * fields are ignored and missing ones read as null, so a request stored by a newer or older version still
 * reads when its records only gained fields (their constructors fill in defaults).
 */
public final class JobRequests {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private JobRequests() {
    }

    public static ObjectNode write(Object request) {
        return JSON.valueToTree(request);
    }

    public static <R> R read(ObjectNode stored, Class<R> type) {
        try {
            return JSON.treeToValue(stored, type);
        } catch (Exception e) {
            throw new GranaryException(ErrorCode.JOB_UNREADABLE, "The job's stored request cannot be read as "
                    + type.getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
