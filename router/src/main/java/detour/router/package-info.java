/** The running node: {@link detour.router.Main}, the {@link detour.router.Guardian} and its start-up order. */
package detour.router;
