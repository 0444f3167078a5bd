package detour.router.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import detour.providers.model.ChatRequest;
import detour.router.config.Plan;

/**
 * The parent of every per-request coordinator: spawns one per request. It supervises none: a
 * coordinator stops itself once it has answered, and one that crashes leaves the HTTP layer's own
 * timeout to answer the caller.
 */
public final class Coordinators {
  private Coordinators() {}

  public record Coordinate(String requestId, ChatRequest request, Plan plan, ActorRef<RouteOutcome> replyTo) {}

  /** @param admission the node's bound on requests in progress: each coordinator releases its place as it stops */
  public static Behavior<Coordinate> create(ProviderFleet fleet, Admission admission) {
    return Behaviors.setup(ctx -> Behaviors.receiveMessage(msg -> {
      ctx.spawnAnonymous(Behaviors.withMdc(RequestCoordinator.Command.class,
          java.util.Map.of("requestId", msg.requestId()),
          RequestCoordinator.create(msg.requestId(), msg.request(), msg.plan(), fleet, msg.replyTo(),
              admission::release)));
      return Behaviors.same();
    }));
  }
}
