/**
 * Everything about one upstream: the chat model, the wire protocols, the pooled client, failure
 * classification, the breaker and the provider simulator. Never imports the router.
 */
package detour.providers;
