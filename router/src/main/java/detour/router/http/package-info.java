/**
 * The HTTP edge: the OpenAI-compatible API, request validation, and the rendering of outcomes and
 * route traces in OpenAI's own formats. Actor messages never reach the wire directly.
 */
package detour.router.http;
