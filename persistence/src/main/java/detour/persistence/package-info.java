/**
 * What Detour writes down and reads back: the serialization markers, journal events and the journal's
 * set-up. Knows nothing of HTTP or of providers' wire formats.
 */
package detour.persistence;
