/**
 * What the node writes down about routing besides its breakers: the {@link
 * detour.router.record.RoutingRecorder} (per interval, the requests that failed over or failed
 * entirely) and {@link detour.router.record.JournalRetention}, which deletes journal detail older
 * than {@code detour.journal.retention}.
 */
package detour.router.record;
