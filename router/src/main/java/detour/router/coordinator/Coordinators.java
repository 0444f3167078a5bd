package detour.router.coordinator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import detour.providers.model.ChatRequest;
import detour.router.config.Plan;
import java.util.Map;

/**
 * The parent of every per-request coordinator: spawns one per request and watches it, so that the
 * request's admission place is given back when the coordinator terminates, whatever ended it: an
 * answer, a stop while it was still setting up (every candidate skipped), a committed stream's end,
 * or a crash. It supervises none: a crashed coordinator leaves the HTTP layer's own timeout to
 * answer the caller.
 */
public final class Coordinators {
  private Coordinators() {}

  /** What the parent handles: requests from the HTTP layer, and its children's terminations. */
  public sealed interface Command {}

  /**
   * Run one request.
   *
   * @param place the request's place under {@code detour.http.max-in-flight}, released once its
   *     coordinator has terminated
   */
  public record Coordinate(String requestId, ChatRequest request, Plan plan, ActorRef<RouteOutcome> replyTo,
      Admission.Place place) implements Command {}

  /** A coordinator has terminated: its place is free. */
  private record Ended(Admission.Place place) implements Command {}

  public static Behavior<Coordinate> create(ProviderFleet fleet) {
    Behavior<Command> parent = Behaviors.setup(ctx -> Behaviors.receive(Command.class)
        .onMessage(Coordinate.class, msg -> {
          var child = ctx.spawnAnonymous(Behaviors.withMdc(RequestCoordinator.Command.class,
              Map.of("requestId", msg.requestId()),
              RequestCoordinator.create(msg.requestId(), msg.request(), msg.plan(), fleet, msg.replyTo())));
          // Watching, not the child's PostStop: a behaviour that stops inside Behaviors.setup, or
          // fails there, never runs its PostStop, but its parent always learns that it terminated.
          ctx.watchWith(child, new Ended(msg.place()));
          return Behaviors.same();
        })
        .onMessage(Ended.class, ended -> {
          ended.place().release();
          return Behaviors.same();
        })
        .build());
    return parent.narrow();
  }
}
