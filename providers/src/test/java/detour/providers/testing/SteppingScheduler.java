package detour.providers.testing;

import akka.actor.AbstractScheduler;
import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import akka.event.LoggingAdapter;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadFactory;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * A scheduler whose time moves only when a test says so, as ManualTime's does, but without the
 * 100 ms that {@code ManualTime.timePasses} sleeps on every call: a property that moves time
 * thousands of times cannot afford it. Tasks due within a step run in order of their due time,
 * each with the scheduler's time set to its due time. Akka's timers run their task on the calling
 * thread, so a timer's message is in its actor's mailbox when {@link #timePasses} returns.
 *
 * <p>Install it with {@link #config()}; find it with {@link #of}.
 */
public final class SteppingScheduler extends AbstractScheduler {
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long nowNanos;
  private long scheduled;

  /** The constructor Akka calls for {@code akka.scheduler.implementation}. */
  public SteppingScheduler(Config config, LoggingAdapter log, ThreadFactory threads) {}

  public static Config config() {
    return ConfigFactory.parseString("akka.scheduler.implementation = \"" + SteppingScheduler.class.getName() + "\"");
  }

  public static SteppingScheduler of(ActorSystem<?> system) {
    return (SteppingScheduler) system.classicSystem().scheduler();
  }

  /** Moves time on by {@code d}, running every task that falls due on the way. */
  public void timePasses(Duration d) {
    long target;
    synchronized (this) {
      target = nowNanos + d.toNanos();
    }
    while (true) {
      Task due;
      synchronized (this) {
        due = tasks.peek();
        if (due == null || due.dueNanos > target) {
          nowNanos = target;
          return;
        }
        tasks.poll();
        nowNanos = due.dueNanos;
        if (due.intervalNanos > 0 && !due.cancelled) {
          tasks.add(due.rescheduled(++scheduled));  // the same Cancellable, so cancel still reaches it
        }
      }
      if (!due.cancelled) due.executor.execute(due.task);
    }
  }

  @Override
  public synchronized Cancellable scheduleOnce(FiniteDuration delay, Runnable task, ExecutionContext executor) {
    return add(new Task(nowNanos + Math.max(0, delay.toNanos()), 0, task, executor, ++scheduled));
  }

  @Override
  public synchronized Cancellable schedule(
      FiniteDuration initialDelay, FiniteDuration interval, Runnable task, ExecutionContext executor) {
    return add(new Task(nowNanos + Math.max(0, initialDelay.toNanos()), interval.toNanos(), task, executor, ++scheduled));
  }

  @Override
  public double maxFrequency() {
    return 1_000;
  }

  private Cancellable add(Task task) {
    tasks.add(task);
    return task;
  }

  private synchronized boolean remove(Task task) {
    return tasks.remove(task);
  }

  /** Ordered by due time, then by when it was scheduled. */
  private final class Task implements Cancellable, Comparable<Task> {
    long dueNanos;
    final long intervalNanos;
    final Runnable task;
    final ExecutionContext executor;
    long order;
    volatile boolean cancelled;

    Task(long dueNanos, long intervalNanos, Runnable task, ExecutionContext executor, long order) {
      this.dueNanos = dueNanos;
      this.intervalNanos = intervalNanos;
      this.task = task;
      this.executor = executor;
      this.order = order;
    }

    /** Called only while out of the queue, under the scheduler's lock. */
    Task rescheduled(long nextOrder) {
      dueNanos += intervalNanos;
      order = nextOrder;
      return this;
    }

    @Override
    public boolean cancel() {
      boolean wasLive = !cancelled;
      cancelled = true;
      remove(this);
      return wasLive;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public int compareTo(Task other) {
      int byTime = Long.compare(dueNanos, other.dueNanos);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
  }
}
