/** OpenAI's chat-completions protocol, spoken to OpenAI and to every OpenAI-compatible upstream. */
package detour.providers.openai;
