/**
 * Calling an upstream: per-provider settings, the client interface, failure classification, and
 * the pooled Akka HTTP transport. Clients are thread-safe and shared by every request.
 */
package detour.providers.client;
