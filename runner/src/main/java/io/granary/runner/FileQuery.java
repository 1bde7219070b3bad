package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The subset of Keboola's file {@code query} (Elasticsearch query-string syntax) that file mappings use:
 * {@code field:value}, {@code field:"quoted"}, {@code field:(a OR b)}, {@code created:[from TO to]} with
 * {@code *} open ends, {@code AND}, {@code OR}, {@code NOT} and parentheses; fields {@code tags}, {@code name}
 * ({@code *} wildcards), {@code id} and {@code created}. Anything else is a user error naming what is unsupported.
 */
final class FileQuery {

    private static final DateTimeFormatter KEBOOLA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");

    private final List<String> tokens;
    private int pos;

    private FileQuery(String query) {
        this.tokens = tokenize(query);
    }

    /** A predicate over file resources ({@code GET /files} items). */
    static Predicate<JsonNode> parse(String query) {
        FileQuery q = new FileQuery(query);
        Predicate<JsonNode> p = q.or();
        if (q.pos < q.tokens.size()) {
            throw error(query, "unexpected \"" + q.tokens.get(q.pos) + "\"");
        }
        return p;
    }

    private Predicate<JsonNode> or() {
        Predicate<JsonNode> left = and();
        while (peek("OR")) {
            pos++;
            left = left.or(and());
        }
        return left;
    }

    private Predicate<JsonNode> and() {
        Predicate<JsonNode> left = unary();
        while (pos < tokens.size() && !peek("OR") && !peek(")")) {
            if (peek("AND")) {
                pos++;
            }
            left = left.and(unary());
        }
        return left;
    }

    private Predicate<JsonNode> unary() {
        if (peek("NOT")) {
            pos++;
            return unary().negate();
        }
        if (peek("(")) {
            pos++;
            Predicate<JsonNode> inner = or();
            expect(")");
            return inner;
        }
        String term = next();
        int colon = term.indexOf(':');
        if (colon <= 0) {
            throw error(String.join(" ", tokens), "\"" + term + "\" has no field: use field:value");
        }
        String field = term.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = term.substring(colon + 1);
        if (rest.isEmpty() && peek("(")) {
            pos++;
            List<String> values = new ArrayList<>();
            values.add(unquote(next()));
            while (peek("OR")) {
                pos++;
                values.add(unquote(next()));
            }
            expect(")");
            Predicate<JsonNode> any = f -> false;
            for (String v : values) {
                any = any.or(match(field, v));
            }
            return any;
        }
        if (rest.isEmpty() && peek("[")) {
            pos++;
            String from = next();
            expect("TO");
            String to = next();
            expect("]");
            return range(field, from, to);
        }
        return match(field, unquote(rest));
    }

    private static Predicate<JsonNode> match(String field, String value) {
        return switch (field) {
            case "tags" -> f -> {
                for (JsonNode t : f.path("tags")) {
                    if (t.asText().equals(value)) {
                        return true;
                    }
                }
                return false;
            };
            case "name" -> {
                Pattern p = Pattern.compile(Pattern.quote(value).replace("*", "\\E.*\\Q"));
                yield f -> p.matcher(f.path("name").asText()).matches();
            }
            case "id" -> f -> f.path("id").asText().equals(value);
            default -> throw new UserException("Invalid file mapping query: field \"" + field
                    + "\" is not supported; use tags, name, id or created.");
        };
    }

    private static Predicate<JsonNode> range(String field, String from, String to) {
        if (!field.equals("created") && !field.equals("id")) {
            throw new UserException("Invalid file mapping query: ranges are supported on created and id only.");
        }
        if (field.equals("id")) {
            return f -> (from.equals("*") || f.path("id").asLong() >= Long.parseLong(from))
                    && (to.equals("*") || f.path("id").asLong() <= Long.parseLong(to));
        }
        return f -> {
            OffsetDateTime created = OffsetDateTime.parse(f.path("created").asText(), KEBOOLA_TIME);
            return (from.equals("*") || !created.isBefore(time(from))) && (to.equals("*") || !created.isAfter(time(to)));
        };
    }

    private static OffsetDateTime time(String value) {
        String v = unquote(value);
        try {
            return OffsetDateTime.parse(v);
        } catch (RuntimeException e) {
            try {
                return OffsetDateTime.parse(v, KEBOOLA_TIME);
            } catch (RuntimeException again) {
                throw new UserException("Invalid file mapping query: \"" + v + "\" is not an ISO 8601 time.");
            }
        }
    }

    private boolean peek(String token) {
        return pos < tokens.size() && tokens.get(pos).equals(token);
    }

    private String next() {
        if (pos >= tokens.size()) {
            throw new UserException("Invalid file mapping query: it ends too early.");
        }
        return tokens.get(pos++);
    }

    private void expect(String token) {
        if (!peek(token)) {
            throw new UserException("Invalid file mapping query: expected \"" + token + "\"");
        }
        pos++;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static List<String> tokenize(String query) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : query.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (!quoted && (c == '(' || c == ')' || c == '[' || c == ']' || Character.isWhitespace(c))) {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                if (!Character.isWhitespace(c)) {
                    out.add(String.valueOf(c));
                }
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new UserException("Invalid file mapping query: unclosed quote in \"" + query + "\"");
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }

    private static UserException error(String query, String what) {
        return new UserException("Invalid file mapping query \"" + query + "\": " + what);
    }
}
