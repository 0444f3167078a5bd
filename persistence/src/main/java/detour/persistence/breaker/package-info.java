/** The breaker's journal vocabulary: its events, their evidence, and the failure classes they count. */
package detour.persistence.breaker;
