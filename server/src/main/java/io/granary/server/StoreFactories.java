package io.granary.server;

import io.granary.core.port.CatalogStoreFactory;
import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import io.granary.core.port.TableBackendFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The catalog stores and table backends on the class path ({@link ServiceLoader}: each backend module lists
 * its factories under {@code META-INF/services}), by the names {@code --catalog} and {@code --backend} take.
 * Adding a backend needs no change here.
 */
public final class StoreFactories {

    private static final StoreFactories INSTALLED = new StoreFactories(
            ServiceLoader.load(CatalogStoreFactory.class).stream().map(ServiceLoader.Provider::get).toList(),
            ServiceLoader.load(TableBackendFactory.class).stream().map(ServiceLoader.Provider::get).toList());

    private final Map<String, CatalogStoreFactory> catalogs;
    private final Map<String, TableBackendFactory> backends;

    StoreFactories(List<CatalogStoreFactory> catalogs, List<TableBackendFactory> backends) {
        this.catalogs = byName(catalogs, CatalogStoreFactory::name);
        this.backends = byName(backends, TableBackendFactory::name);
    }

    /** The factories of this installation. */
    public static StoreFactories installed() {
        return INSTALLED;
    }

    public CatalogStoreFactory catalog(String name) {
        return find(catalogs, name);
    }

    public TableBackendFactory backend(String name) {
        return find(backends, name);
    }

    /** The names {@code --catalog} takes, as a phrase: {@code duckdb or postgres}. */
    public String catalogChoices() {
        return choices(catalogs);
    }

    /** The names {@code --backend} takes, as a phrase. */
    public String backendChoices() {
        return choices(backends);
    }

    /** Every setting any store offers, once per name, sorted by name (flags of {@code granary server}). */
    public List<Setting> settings() {
        Map<String, Setting> all = new LinkedHashMap<>();
        catalogs.values().forEach(f -> f.settings().forEach(s -> all.putIfAbsent(s.name(), s)));
        backends.values().forEach(f -> f.settings().forEach(s -> all.putIfAbsent(s.name(), s)));
        List<Setting> out = new ArrayList<>(all.values());
        out.sort(Comparator.comparing(Setting::name));
        return out;
    }

    /** Checks a node's choice before anything starts; {@link IllegalArgumentException} says what is wrong. */
    public void check(String catalog, String backend, Settings settings) {
        CatalogStoreFactory c = catalog(catalog);
        TableBackendFactory b = backend(backend);
        c.check(settings);
        b.check(settings);
    }

    private static <F> Map<String, F> byName(List<F> factories, Function<F, String> name) {
        List<F> sorted = new ArrayList<>(factories);
        // the embedded default first, then by name: error messages list them in a stable order
        sorted.sort(Comparator.comparing((F f) -> !embedded(name.apply(f))).thenComparing(name));
        Map<String, F> out = new LinkedHashMap<>();
        for (F f : sorted) {
            if (out.putIfAbsent(name.apply(f), f) != null) {
                throw new IllegalStateException("Two stores are named \"" + name.apply(f) + "\"");
            }
        }
        return out;
    }

    private static boolean embedded(String name) {
        return name.equals(ServerConfig.DUCKDB) || name.equals(ServerConfig.SQLITE);
    }

    private static <F> F find(Map<String, F> factories, String name) {
        F f = factories.get(name);
        if (f == null) {
            throw new IllegalArgumentException("Unknown storage kind \"" + name + "\": use " + choices(factories) + ".");
        }
        return f;
    }

    private static String choices(Map<String, ?> factories) {
        List<String> names = new ArrayList<>(factories.keySet());
        return names.size() < 2 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
