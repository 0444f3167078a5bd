/** The router's configuration, read once at start-up into validated records, and the route planner. */
package detour.router.config;
