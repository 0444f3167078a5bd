package detour.router.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.Behaviors;
import detour.persistence.breaker.FailureKind;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.ProviderBreaker.ProbeAnswer;
import detour.providers.breaker.ProviderBreaker.ProbeGranted;
import detour.providers.breaker.ProviderBreaker.ProbeRefused;
import detour.providers.model.ProviderFailure;
import java.time.Duration;

/**
 * One request's ask for a probe permit, on its way to the breaker's owner: answers the request
 * once, with the owner's answer or, past {@code probe-permit-timeout}, a refusal, so that an owner
 * that is slow or unreachable costs a request a fraction of a second, never a failure. A grant that
 * arrives after the refusal is given back (as a cancelled probe), so the owner's one permit is not
 * held for the whole probe lease by a request that never used it.
 */
final class ProbePermitAsk {
  private ProbePermitAsk() {}

  private enum Deadline { INSTANCE }

  private enum GiveUp { INSTANCE }

  static Behavior<Object> create(RecipientRef<ProviderBreaker.Command> owner, ActorRef<ProbeAnswer> request,
      Duration timeout, Duration lateGrantPatience) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      owner.tell(new ProviderBreaker.AskForProbe(ctx.getSelf().narrow()));
      timers.startSingleTimer(Deadline.INSTANCE, timeout);
      return Behaviors.receive(Object.class)
          .onMessage(ProbeAnswer.class, answer -> {
            request.tell(answer);
            return Behaviors.stopped();
          })
          .onMessageEquals(Deadline.INSTANCE, () -> {
            request.tell(new ProbeRefused("the breaker's owner did not answer within " + timeout));
            timers.startSingleTimer(GiveUp.INSTANCE, lateGrantPatience);
            return late(owner);
          })
          .build();
    }));
  }

  /** The request has its refusal; a permit granted now would be held by nobody. */
  private static Behavior<Object> late(RecipientRef<ProviderBreaker.Command> owner) {
    return Behaviors.receive(Object.class)
        .onMessage(ProbeGranted.class, granted -> {
          owner.tell(new ProviderBreaker.RecordFailure(
              ProviderFailure.of(FailureKind.CANCELLED, 0, "probe permit came too late; unused"), true));
          return Behaviors.stopped();
        })
        .onMessage(ProbeRefused.class, refused -> Behaviors.stopped())
        .onMessageEquals(GiveUp.INSTANCE, Behaviors::stopped)
        .build();
  }
}
