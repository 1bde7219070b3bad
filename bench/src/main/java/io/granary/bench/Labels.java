package io.granary.bench;

/** Short human forms of sizes and counts for the table's labels. */
final class Labels {

    private Labels() {
    }

    static String size(long mb) {
        return mb >= 1024 && mb % 1024 == 0 ? mb / 1024 + " GiB" : mb + " MiB";
    }

    static String count(long n) {
        if (n >= 1_000_000) {
            return trim(n / 1e6) + " M";
        }
        if (n >= 10_000) {
            return trim(n / 1e3) + " k";
        }
        return Long.toString(n);
    }

    private static String trim(double v) {
        String s = String.format("%.2f", v);
        return s.replaceAll("\\.?0+$", "");
    }
}
