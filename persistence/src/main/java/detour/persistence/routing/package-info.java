/**
 * The routing record's journal vocabulary: per interval, how many requests failed over from which
 * model to which, and how many failed entirely. Written only off the healthy path.
 */
package detour.persistence.routing;
