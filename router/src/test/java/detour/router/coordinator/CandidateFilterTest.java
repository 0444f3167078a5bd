package detour.router.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import detour.persistence.breaker.FailureKind;
import detour.persistence.routing.SkipCause;
import detour.providers.model.ProviderFailure;
import detour.router.config.Candidate;
import detour.router.config.CatalogueModel;
import detour.router.config.Capability;
import detour.router.config.Guardrails;
import detour.router.config.LatencySnapshot;
import detour.router.config.ObservedLatency;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The walk's checks that are not about circuits, and how a request's chain of checks decides. */
class CandidateFilterTest {
  static final Candidate CANDIDATE = CandidateReadinessTest.CANDIDATE;  // model m on p, 8192 tokens, every capability

  @Test
  void anUnusableCandidateIsPassedOverForGoodWithItsPlansCause() {
    assertEquals(HopVerdict.TRY, CandidateFilter.usable(CANDIDATE));
    assertEquals(HopVerdict.Skip.settled(SkipCause.UNUSABLE, "provider 'p' has no api-key configured"),
        CandidateFilter.usable(
            CandidateReadinessTest.candidate(Optional.of("provider 'p' has no api-key configured"))));
  }

  @Test
  void aModelLackingWhatTheRequestUsesIsIncapableAndSoIsAProtocolThatCannotExpressIt() {
    var textOnly = new Candidate(new CatalogueModel("m", "p", "up", 8_192, Set.of(Capability.STREAMING)),
        CANDIDATE.provider(), Optional.empty());
    assertEquals(HopVerdict.Skip.settled(SkipCause.INCAPABLE, "the model lacks what the request uses: tools"),
        CandidateFilter.capable(textOnly, Set.of(Capability.TOOLS, Capability.STREAMING)));
    assertEquals(HopVerdict.TRY, CandidateFilter.capable(CANDIDATE, Set.of(Capability.TOOLS)));
    assertEquals(HopVerdict.Skip.settled(SkipCause.INCAPABLE, "its protocol cannot express the request: n > 1"),
        CandidateFilter.expressible(Optional.of("n > 1")));
    assertEquals(HopVerdict.TRY, CandidateFilter.expressible(Optional.empty()));
  }

  @Test
  void theLatencyGuardrailPassesItOverOnlyForNow() {
    var guardrails = new Guardrails(false, 0, Set.of(), 0, OptionalDouble.empty(), OptionalDouble.empty(),
        Optional.of(Duration.ofSeconds(1)));
    ObservedLatency slow = () -> new LatencySnapshot(Guardrails.MIN_LATENCY_SAMPLES, 2_000);
    var verdict = (HopVerdict.Skip) CandidateFilter.guardedForLatency(guardrails, slow);
    assertEquals(SkipCause.GUARDRAIL, verdict.cause());
    assertEquals(true, verdict.mayPassLater(), "observed latency moves on");
    assertEquals(Optional.empty(), verdict.reopensAt(), "never a last resort");
    assertEquals(HopVerdict.TRY, CandidateFilter.guardedForLatency(guardrails, ObservedLatency.NONE));
    assertEquals(HopVerdict.TRY, CandidateFilter.guardedForLatency(Guardrails.NONE, slow));
  }

  @Test
  void aSizeRefusalRulesOutTheRefusingProviderAndWindowsNoLargerThanTheRefusedOne() {
    var body = ProviderFailure.of(FailureKind.REQUEST_TOO_LARGE, 413, "too large");
    var context = ProviderFailure.of(FailureKind.CONTEXT_TOO_LONG, 400, "too long");
    assertEquals(HopVerdict.TRY, CandidateFilter.bodyNotRefused(CANDIDATE, SizeRefusals.NONE));
    assertEquals(HopVerdict.TRY, CandidateFilter.windowLargeEnough(CANDIDATE, SizeRefusals.NONE));
    var refused = SizeRefusals.NONE.after(body, CANDIDATE);
    assertEquals(HopVerdict.Skip.settled(SkipCause.UNUSABLE, "provider 'p' refused the request's body as too large"),
        CandidateFilter.bodyNotRefused(CANDIDATE, refused));
    var tooLong = SizeRefusals.NONE.after(context, CANDIDATE);
    assertEquals(HopVerdict.Skip.settled(SkipCause.CONTEXT_WINDOW,
        "context window of 8192 tokens is no larger than the 8192 that refused the prompt"),
        CandidateFilter.windowLargeEnough(CANDIDATE, tooLong));
    var larger = new Candidate(new CatalogueModel("big", "p", "big", 16_384), CANDIDATE.provider(), Optional.empty());
    assertEquals(HopVerdict.TRY, CandidateFilter.windowLargeEnough(larger, tooLong));
  }

  @Test
  void aRefusedBodyIsAnsweredAs413AndARefusedPromptAsItsOwnRefusal() {
    var body = ProviderFailure.of(FailureKind.REQUEST_TOO_LARGE, 400, "too large");
    var context = ProviderFailure.of(FailureKind.CONTEXT_TOO_LONG, 400, "too long");
    assertEquals(false, SizeRefusals.NONE.any());
    var both = SizeRefusals.NONE.after(body, CANDIDATE).after(context, CANDIDATE);
    assertEquals(context, both.rejection(), "the prompt's refusal goes first");
    ProviderFailure tooLarge = SizeRefusals.NONE.after(body, CANDIDATE).rejection();
    assertEquals(413, tooLarge.status());
    assertEquals("request_too_large", tooLarge.errorType());
    assertEquals(SizeRefusals.NONE,
        SizeRefusals.NONE.after(ProviderFailure.of(FailureKind.SERVER_ERROR, 500, "x"), CANDIDATE));
  }

  @Test
  void theFirstCheckThatDoesNotLetTheCandidateThroughDecidesAndTheRestAreNotAsked() {
    var skip = HopVerdict.Skip.settled(SkipCause.GUARDRAIL, "no");
    int[] asked = {0};
    HopCheck through = (candidate, soFar) -> { asked[0]++; return HopVerdict.TRY; };
    HopCheck refuses = (candidate, soFar) -> skip;
    HopCheck neverAsked = (candidate, soFar) -> { throw new AssertionError("asked after a skip"); };
    var soFar = new HopCheck.WalkSoFar(List.of(), SizeRefusals.NONE);
    assertEquals(skip, HopCheck.first(List.of(through, refuses, neverAsked), CANDIDATE, soFar));
    assertEquals(HopVerdict.TRY, HopCheck.first(List.of(through, through), CANDIDATE, soFar));
    assertEquals(3, asked[0]);
  }

  @Test
  void passingOverRemembersTheCircuitThatReopensSoonestAndWhetherAnyMayPassLater() {
    Instant later = Instant.parse("2026-01-05T09:01:00Z");
    var tally = PassedOver.NONE
        .after(0, HopVerdict.Skip.settled(SkipCause.INCAPABLE, "x"));
    assertEquals(false, tally.mayPassLater());
    tally = tally.after(1, HopVerdict.Skip.circuit(SkipCause.CIRCUIT_OPEN, "open", later))
        .after(2, HopVerdict.Skip.circuit(SkipCause.CIRCUIT_OPEN, "open", later.plusSeconds(1)));
    assertEquals(true, tally.mayPassLater());
    assertEquals(1, tally.lastResort().getAsInt());
    assertEquals(Optional.of(later), tally.retryAt());
    var ramping = tally.after(3, HopVerdict.Skip.circuit(SkipCause.RAMPING, "ramp", Instant.EPOCH));
    assertEquals(3, ramping.lastResort().getAsInt(), "a circuit already letting some through goes first");
    assertEquals(Optional.empty(), ramping.retryAt(), "no time to come back at: it lets calls through now");
  }
}
