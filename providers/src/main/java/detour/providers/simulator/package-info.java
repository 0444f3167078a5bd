/** The provider simulator: OpenAI-compatible fake upstreams whose faults can be switched live. */
package detour.providers.simulator;
