/**
 * Google's Gemini API ({@code generateContent}, {@code streamGenerateContent?alt=sse}), translated to
 * and from Detour's canonical OpenAI form. docs/providers.md has the field-by-field table.
 */
package detour.providers.gemini;
