/** Measurements run by {@code scripts/bench}: not used by the router. */
package detour.bench.journal;
