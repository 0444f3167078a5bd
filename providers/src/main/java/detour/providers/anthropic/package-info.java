/**
 * Anthropic's Messages API ({@code POST /messages}), translated to and from Detour's canonical
 * OpenAI chat-completions form. docs/providers.md, section "Anthropic", lists every field and what
 * becomes of it.
 */
package detour.providers.anthropic;
