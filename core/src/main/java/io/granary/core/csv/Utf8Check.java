package io.granary.core.csv;

/**
 * Validates UTF-8 byte by byte as PostgreSQL does for text: no overlong forms, no surrogates, nothing
 * above U+10FFFF. NUL is valid UTF-8; {@link CsvChecker} refuses it on its own.
 */
final class Utf8Check {

    private int needed;
    private int low = 0x80;
    private int high = 0xbf;

    /** Whether {@code b} (0-255) can come next. */
    boolean accept(int b) {
        if (needed > 0) {
            boolean ok = b >= low && b <= high;
            needed--;
            low = 0x80;
            high = 0xbf;
            return ok;
        }
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xc2 && b <= 0xdf) {
            needed = 1;
        } else if (b == 0xe0) {
            needed = 2;
            low = 0xa0;
        } else if (b == 0xed) {
            needed = 2;
            high = 0x9f;
        } else if (b >= 0xe1 && b <= 0xef) {
            needed = 2;
        } else if (b == 0xf0) {
            needed = 3;
            low = 0x90;
        } else if (b >= 0xf1 && b <= 0xf3) {
            needed = 3;
        } else if (b == 0xf4) {
            needed = 3;
            high = 0x8f;
        } else {
            return false;
        }
        return true;
    }

    /** Whether the bytes so far end on a character boundary. */
    boolean complete() {
        return needed == 0;
    }
}
