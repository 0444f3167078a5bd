package detour.router;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import detour.persistence.JournalSchema;
import detour.persistence.breaker.BreakerScope;
import detour.persistence.routing.ModelRef;
import detour.providers.ProviderClients;
import detour.providers.breaker.BreakerPublisher;
import detour.providers.breaker.BreakerView;
import detour.providers.breaker.Prober;
import detour.providers.breaker.ProviderBreaker;
import detour.providers.breaker.VersionedState;
import detour.providers.client.ProviderClient;
import detour.providers.client.ProviderSettings;
import detour.providers.model.ChatRequest;
import detour.router.config.CatalogueModel;
import detour.router.config.RoutePlanner;
import detour.router.config.ClusterSettings;
import detour.router.config.RouterSettings;
import detour.router.cluster.BreakerOwners;
import detour.router.cluster.BreakerProxy;
import detour.router.coordinator.Admission;
import detour.router.coordinator.Coordinators;
import detour.router.coordinator.ProviderFleet;
import detour.router.coordinator.RoutingRecord;
import detour.router.record.JournalRetention;
import detour.router.record.OutcomeLedger;
import detour.router.record.RoutingRecorder;
import detour.router.http.ApiRoutes;
import detour.router.http.ApiServer;
import detour.router.http.DetourJson;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The node's root. Starts in a fixed order, so that no request is served on a stale view: the
 * journal's tables, then the routing record, the node's place in the cluster and every breaker
 * recovered from the journal, wherever in the cluster it runs (an open circuit is open again in
 * this node's view before the first request), then the journal's retention and the HTTP
 * binding. A step that fails stops the node. At shutdown, once the HTTP requests are done, the
 * routing record writes the interval it was counting.
 */
public final class Guardian {
  private Guardian() {}

  public sealed interface Command {}

  private record SchemaChecked(Throwable failure) implements Command {}

  private record BreakerRecovered(BreakerScope scope, VersionedState state, Throwable failure) implements Command {}

  private record Bound(ServerBinding binding, Throwable failure) implements Command {}

  /** Told to whoever started the node, once it serves. */
  public record Started(InetSocketAddress address, ProviderFleet fleet) {}

  /** How long the breakers may take to recover from the journal before the start is given up. */
  static final Duration RECOVERY_PATIENCE = Duration.ofSeconds(60);

  /** How long the shutdown waits for the routing record's last write (the phase allows 5 s). */
  static final Duration FLUSH_PATIENCE = Duration.ofSeconds(4);

  /**
   * @param started completed once the node serves, or exceptionally when it could not start
   */
  public static Behavior<Command> create(RouterSettings settings, InstantSource clock, CompletableFuture<Started> started) {
    return Behaviors.setup(ctx -> {
      ctx.pipeToSelf(JournalSchema.ensure(ctx.getSystem()), (done, failure) -> new SchemaChecked(failure));
      return Behaviors.receive(Command.class)
          .onMessage(SchemaChecked.class, msg -> msg.failure() != null
              ? fail(ctx, started, "the journal's tables could not be created", msg.failure())
              : recoverBreakers(ctx, settings, clock, started))
          .build();
    });
  }

  private static Behavior<Command> recoverBreakers(
      ActorContext<Command> ctx, RouterSettings settings, InstantSource clock, CompletableFuture<Started> started) {
    settings.providers().values().forEach(provider -> provider.unusable().ifPresent(why ->
        ctx.getLog().warn("provider={} is left out of every route: {} (set it from the environment)",
            provider.name(), why)));
    ObjectMapper json = DetourJson.MAPPER;
    Map<String, ProviderClient> clients = new HashMap<>();
    for (ProviderSettings provider : settings.providers().values()) {
      clients.put(provider.name(), ProviderClients.create(provider, ctx.getSystem(), json));
    }
    RoutingRecord record = routingRecord(ctx, settings, clock);
    BreakerView view = new BreakerView();
    Set<BreakerScope> scopes = scopes(settings);
    Function<BreakerScope, RecipientRef<ProviderBreaker.Command>> owners = BreakerOwners.start(ctx, settings.cluster(),
        scopes, view, (scope, published) -> breaker(scope, settings, clients, json, clock, published));
    Map<BreakerScope, ActorRef<ProviderBreaker.Command>> breakers = new HashMap<>();
    for (BreakerScope scope : scopes) {
      ActorRef<ProviderBreaker.Command> breaker = ctx.spawn(
          BreakerProxy.create(scope, owners.apply(scope), view, settings.cluster(),
              settings.providers().get(scope.provider()).breaker(), clock),
          "breaker-proxy-" + URLEncoder.encode(scope.key(), StandardCharsets.UTF_8));
      breakers.put(scope, breaker);
      ctx.ask(VersionedState.class, breaker, RECOVERY_PATIENCE, ProviderBreaker.GetVersionedState::new,
          (state, failure) -> new BreakerRecovered(scope, state, failure));
    }
    Set<BreakerScope> waiting = new HashSet<>(breakers.keySet());
    if (waiting.isEmpty()) {
      return serve(ctx, settings, clock, started, new ProviderFleet(clients, breakers, view, clock, record), json);
    }
    return Behaviors.receive(Command.class)
        .onMessage(BreakerRecovered.class, msg -> {
          if (msg.failure() != null) {
            return fail(ctx, started, "breaker '" + msg.scope().key() + "' did not answer within "
                + RECOVERY_PATIENCE.toSeconds() + " s: the journal unreachable, or this node not (yet) in a cluster",
                msg.failure());
          }
          // Its owner may be another node: serve nothing before this node's view knows the state.
          view.publish(msg.scope(), msg.state().state(), msg.state().version());
          waiting.remove(msg.scope());
          return waiting.isEmpty()
              ? serve(ctx, settings, clock, started, new ProviderFleet(clients, breakers, view, clock, record), json)
              : Behaviors.same();
        })
        .build();
  }

  /**
   * A scope's breaker as this node runs it when it is the owner. A scope this node's
   * configuration does not know (another node's provider) cannot be run here: said, and ignored.
   */
  private static Behavior<ProviderBreaker.Command> breaker(BreakerScope scope,
      RouterSettings settings, Map<String, ProviderClient> clients, ObjectMapper json, InstantSource clock,
      BreakerPublisher published) {
    ProviderSettings provider = settings.providers().get(scope.provider());
    if (provider == null) {
      // Called by sharding on another actor: not the guardian's logger.
      LoggerFactory.getLogger(Guardian.class).error(
          "breaker={} is not in this node's configuration (detour.providers): it cannot run here", scope.key());
      return Behaviors.ignore();
    }
    return ProviderBreaker.supervised(scope, provider.breaker(), clock, published,
        activeProber(scope, settings, clients.get(scope.provider()), json));
  }

  /**
   * The node's routing record ({@code routing-record|<node-name>}): nothing to wait for, since it
   * replays nothing. Off with {@code detour.journal.routing-record.enabled = off}.
   */
  private static RoutingRecord routingRecord(ActorContext<Command> ctx, RouterSettings settings, InstantSource clock) {
    var record = settings.journal().routingRecord();
    if (!record.enabled()) return RoutingRecord.off();
    Map<String, ModelRef> models = new HashMap<>();
    settings.models().values().forEach(m -> models.put(m.id(), new ModelRef(m.provider(), m.upstreamModel())));
    OutcomeLedger ledger = record.outcomes() ? new OutcomeLedger(clock, models) : null;
    var recorder = ctx.spawn(RoutingRecorder.create(settings.nodeName(), record, clock, ledger), "routing-record");
    return new RoutingRecord(recorder, models, ledger, clock);
  }

  /**
   * Deletes journal detail past {@code detour.journal.retention}, unless it is off. Each node sweeps
   * its own routing record. The breakers' streams are the whole cluster's: one node sweeps them, as a
   * cluster singleton (in a cluster of one, this node), so nodes never race to delete the same rows.
   */
  private static void retention(ActorContext<Command> ctx, RouterSettings settings, InstantSource clock) {
    settings.journal().retention().ifPresent(kept -> {
      Duration every = settings.journal().retentionCheckInterval();
      List<String> breakerIds = scopes(settings).stream().map(s -> ProviderBreaker.persistenceId(s).id()).toList();
      Optional<String> record = Optional.of(RoutingRecorder.persistenceId(settings.nodeName()).id());
      if (settings.cluster().formation() == ClusterSettings.Formation.OFF) {
        ctx.spawn(JournalRetention.create(breakerIds, record, kept, every, clock, null), "journal-retention");
        return;
      }
      ctx.spawn(JournalRetention.create(List.of(), record, kept, every, clock, null), "journal-retention");
      ClusterSingleton.get(ctx.getSystem()).init(SingletonActor.of(
          JournalRetention.create(breakerIds, Optional.empty(), kept, every, clock, null), "breaker-retention"));
    });
  }

  /** One breaker per provider, and one per model a route may send it. */
  private static Set<BreakerScope> scopes(RouterSettings settings) {
    Set<BreakerScope> scopes = new java.util.LinkedHashSet<>();
    settings.providers().keySet().forEach(provider -> scopes.add(BreakerScope.provider(provider)));
    settings.models().values().forEach(model ->
        scopes.add(BreakerScope.model(model.provider(), model.upstreamModel())));
    return scopes;
  }

  /**
   * The breaker's own prober when its provider turns active probing on: a one-token request to the
   * scope's model, or for a provider-wide breaker to {@code active-probe.model} (by default the
   * provider's first catalogue model).
   */
  private static Optional<Prober> activeProber(
      BreakerScope scope, RouterSettings settings, ProviderClient client, ObjectMapper json) {
    var breaker = settings.providers().get(scope.provider()).breaker();
    if (!breaker.activeProbe()) return Optional.empty();
    Optional<String> model = !scope.providerWide() ? Optional.of(scope.model())
        : !breaker.activeProbeModel().isEmpty() ? Optional.of(breaker.activeProbeModel())
        : settings.models().values().stream().filter(m -> m.provider().equals(scope.provider()))
            .map(CatalogueModel::upstreamModel).findFirst();
    return model.map(upstream -> {
      ObjectNode body = json.createObjectNode().put("model", upstream).put("max_tokens", 1);
      body.putArray("messages").addObject().put("role", "user").put("content", "ping");
      var probe = new ChatRequest(body);
      return () -> client.complete(probe, upstream);
    });
  }

  private static Behavior<Command> serve(
      ActorContext<Command> ctx,
      RouterSettings settings,
      InstantSource clock,
      CompletableFuture<Started> started,
      ProviderFleet fleet,
      ObjectMapper json) {
    retention(ctx, settings, clock);
    var admission = new Admission(settings.maxInFlight());
    var coordinators = ctx.spawn(Coordinators.create(fleet), "coordinators");
    var routes = new ApiRoutes(new RoutePlanner(settings), coordinators, admission, ctx.getSystem(), fleet,
        settings.adminToken(), json, clock);
    ctx.pipeToSelf(
        ApiServer.bind(ctx.getSystem(), settings.host(), settings.port(), settings.headerReadTimeout(), routes.routes()),
        Bound::new);
    return Behaviors.receive(Command.class)
        .onMessage(Bound.class, msg -> {
          if (msg.failure() != null) {
            return fail(ctx, started, "could not bind HTTP on " + settings.host() + ":" + settings.port(), msg.failure());
          }
          msg.binding().addToCoordinatedShutdown(Duration.ofSeconds(10), ctx.getSystem());
          // Close provider connections before the system stops under them.
          CoordinatedShutdown.get(ctx.getSystem()).addTask(CoordinatedShutdown.PhaseServiceStop(),
              "close-provider-pools", () -> Http.get(ctx.getSystem()).shutdownAllConnectionPools()
                  .thenApply(closed -> Done.getInstance()));
          // The requests are done by then (service-requests-done): write what the record counted.
          CoordinatedShutdown.get(ctx.getSystem()).addTask(CoordinatedShutdown.PhaseServiceStop(),
              "flush-routing-record", () -> fleet.routingRecord().flush(ctx.getSystem(), FLUSH_PATIENCE));
          InetSocketAddress address = msg.binding().localAddress();
          ctx.getLog().info("HTTP bound on http://{}:{} ({} providers, {} routes)",
              address.getHostString(), address.getPort(), settings.providers().size(), settings.routes().size());
          started.complete(new Started(address, fleet));
          return Behaviors.ignore();
        })
        .build();
  }

  private static Behavior<Command> fail(
      ActorContext<Command> ctx, CompletableFuture<Started> started, String what, Throwable why) {
    ctx.getLog().error("Detour could not start: {}", what, why);
    started.completeExceptionally(new IllegalStateException(what, why));
    return Behaviors.stopped();
  }
}
