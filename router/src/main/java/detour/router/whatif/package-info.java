/**
 * The what-if replay ({@code scripts/detour audit --what-if other.conf}): an incident's recorded
 * per-second outcomes fed through the breakers again, with the settings in effect and with
 * candidate settings, side by side with what the journal says happened.
 */
package detour.router.whatif;
