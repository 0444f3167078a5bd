/** Measurements run by scripts/bench: each a main class that starts what it measures and stops by itself. */
package detour.bench;
