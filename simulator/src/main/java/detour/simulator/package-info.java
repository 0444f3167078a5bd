/**
 * The provider simulator: fake upstreams that speak OpenAI chat completions, Anthropic Messages and
 * Gemini generateContent (streamed or not), whose faults can be switched live.
 *
 * <p>A tool, not part of the product: it ships in {@code simulator/target/detour-simulator.jar},
 * never in {@code detour.jar}, and depends on no Detour module, so that the router's tests run it
 * as an independent upstream. Its wire answers are written out here, not borrowed from the codecs.
 */
package detour.simulator;
