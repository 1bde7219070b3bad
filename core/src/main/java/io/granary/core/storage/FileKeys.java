package io.granary.core.storage;

import io.granary.core.model.StoredFile;
import io.granary.core.port.Catalog;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The object keys of File Storage: {@code <exp-15|permanent>/<project>/files/<yyyy>/<mm>/<dd>/<id>.<name>}
 * (a sliced file's slices and manifest are keys under it), and which file an object key belongs to.
 */
public final class FileKeys {

    private static final Pattern FILE_KEY =
            Pattern.compile("(?:exp-\\d+|permanent)/\\d+/files/\\d{4,}/\\d{2}/\\d{2}/(\\d{1,18})\\..*", Pattern.DOTALL);

    private FileKeys() {
    }

    /** The key of a new file; {@code safeName} is already reduced to key-safe characters. */
    static String of(boolean permanent, Instant created, long projectId, long id, String safeName) {
        ZonedDateTime day = created.atZone(ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%s/%d/files/%04d/%02d/%02d/%d.%s",
                permanent ? "permanent" : "exp-" + FileService.MAX_AGE_DAYS, projectId, day.getYear(),
                day.getMonthValue(), day.getDayOfMonth(), id, safeName);
    }

    /** The prefixes under which every file object of a project lives. */
    public static List<String> roots(long projectId) {
        return List.of("exp-" + FileService.MAX_AGE_DAYS + "/" + projectId + "/files/", "permanent/" + projectId + "/files/");
    }

    /** The id of the file an object key is named after; empty for a key not shaped like a file's. */
    public static OptionalLong fileId(String objectKey) {
        Matcher m = FILE_KEY.matcher(objectKey);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** The file record whose bytes {@code objectKey} holds (expired or not); empty when no record owns it. */
    public static Optional<StoredFile> owner(Catalog catalog, String objectKey) {
        OptionalLong id = fileId(objectKey);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return catalog.findFile(id.getAsLong()).filter(f -> f.owns(objectKey));
    }

    /**
     * Whether Granary's S3 endpoint may still serve {@code objectKey} to a client credential or presigned
     * URL: a key shaped like a file's only while an unexpired file record owns it; any other key always.
     */
    public static boolean servable(Catalog catalog, String objectKey, Instant now) {
        return fileId(objectKey).isEmpty() || owner(catalog, objectKey).filter(f -> !f.isExpired(now)).isPresent();
    }
}
