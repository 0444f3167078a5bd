/**
 * The provider simulator: fake upstreams that speak OpenAI chat completions, Anthropic Messages and
 * Gemini generateContent (streamed or not), whose faults can be switched live.
 */
package detour.providers.simulator;
