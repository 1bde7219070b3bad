package io.granary.core.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Permission;
import java.util.LinkedHashMap;
import java.util.Map;

/** How catalogs and job queues keep structured values in one text column; every adapter stores them alike. */
public final class StoredJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredJson() {
    }

    /** Job parameters or results; null stays null. */
    public static String writeObject(ObjectNode node) {
        if (node == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot store job data", e);
        }
    }

    public static ObjectNode readObject(String json) {
        if (json == null) {
            return null;
        }
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Stored job data is unreadable", e);
        }
    }

    /** A map of strings (a workspace's connection fields), in its order. */
    public static String writeStrings(Map<String, String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot store a map of strings", e);
        }
    }

    public static Map<String, String> readStrings(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "A stored map of strings is unreadable", e);
        }
    }

    /** A token's bucket permissions, in their order. */
    public static String writePermissions(Map<String, Permission> permissions) {
        Map<String, String> wire = new LinkedHashMap<>();
        permissions.forEach((k, v) -> wire.put(k, v.wire()));
        try {
            return JSON.writeValueAsString(wire);
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot store token permissions", e);
        }
    }

    public static Map<String, Permission> readPermissions(String json) {
        try {
            Map<String, String> wire = JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
            Map<String, Permission> out = new LinkedHashMap<>();
            wire.forEach((k, v) -> out.put(k, Permission.parse(v)));
            return out;
        } catch (JsonProcessingException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Stored token permissions are unreadable", e);
        }
    }
}
