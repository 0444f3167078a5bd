/** The canonical chat request and response, the failure values, and the {@link detour.providers.model.Secret}. */
package detour.providers.model;
