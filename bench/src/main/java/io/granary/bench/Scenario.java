package io.granary.bench;

/** One scenario of {@code bench/run all}: measures Granary and the raw baseline and adds rows to the results. */
interface Scenario {

    /** The name {@code --only} selects it by. */
    String name();

    void run(BenchContext ctx) throws Exception;
}
