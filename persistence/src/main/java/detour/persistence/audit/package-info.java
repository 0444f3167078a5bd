/**
 * The audit: reading the journal back, offline or beside a running router, into incident
 * timelines for people (text) and tools (JSON).
 */
package detour.persistence.audit;
