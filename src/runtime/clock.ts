/**
 * Time sources. The engine reads time only through a {@link Clock} and schedules work only
 * through a {@link Scheduler}, so tests run expiry and timeouts on a fake clock.
 *
 * @module
 */

/** Wall-clock and monotonic time. */
export interface Clock {
  /** Unix time in milliseconds (may be fractional-free integer). */
  now(): number;
  /** Monotonic microseconds, for measuring command durations. */
  monotonicUs(): number;
}

/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/** Runs callbacks later. */
export interface Scheduler {
  /** Calls `fn` every `ms` milliseconds until cancelled. */
  every(ms: number, fn: () => void): TimerHandle;
  /** Calls `fn` once after `ms` milliseconds unless cancelled. */
  after(ms: number, fn: () => void): TimerHandle;
}

/** The real clock (`Date.now`, `performance.now`). */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  monotonicUs: () => performance.now() * 1000,
};

/** The real scheduler (`setInterval`/`setTimeout`), unref'd where the runtime supports it. */
export const SYSTEM_SCHEDULER: Scheduler = {
  every(ms, fn) {
    const h = setInterval(fn, ms);
    unref(h);
    return { cancel: () => clearInterval(h) };
  },
  after(ms, fn) {
    // Every runtime fires a setTimeout longer than 2^31-1 ms (24.8 days) at once: `BLPOP k
    // 3000000` must not time out immediately. Longer waits are a chain of maximal timers.
    let h: ReturnType<typeof setTimeout>;
    let left = ms;
    const arm = () => {
      const step = Math.min(left, MAX_TIMER_MS);
      left -= step;
      h = setTimeout(left > 0 ? arm : fn, step);
    };
    arm();
    return { cancel: () => clearTimeout(h) };
  },
};

/** The longest delay setTimeout honours (a signed 32-bit millisecond count). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function unref(h: unknown): void {
  // Node and Bun return objects with unref(); Deno returns a number (Deno.unrefTimer exists).
  if (typeof h === "object" && h !== null && "unref" in h && typeof h.unref === "function") h.unref();
}

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  #now: number;
  #us = 0;
  /** @param start initial Unix time in ms */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }
  /** Current fake time in ms. */
  now(): number {
    return this.#now;
  }
  /** Monotonic fake microseconds. */
  monotonicUs(): number {
    return this.#us;
  }
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
    this.#us += ms * 1000;
  }
  /** Sets the absolute time; the monotonic clock moves by the same amount (never backwards). */
  set(ms: number): void {
    this.#us += Math.max(0, ms - this.#now) * 1000;
    this.#now = ms;
  }
}

/** A scheduler that runs nothing by itself; tests call {@link ManualScheduler.runDue}. */
export class ManualScheduler implements Scheduler {
  #timers: { at: number; every: number; fn: () => void; dead: boolean }[] = [];
  readonly #clock: FakeClock;
  /** @param clock the fake clock the timers follow */
  constructor(clock: FakeClock) {
    this.#clock = clock;
  }
  /** Registers a repeating timer. */
  every(ms: number, fn: () => void): TimerHandle {
    const t = { at: this.#clock.now() + ms, every: ms, fn, dead: false };
    this.#timers.push(t);
    return { cancel: () => (t.dead = true) };
  }
  /** Registers a one-shot timer. */
  after(ms: number, fn: () => void): TimerHandle {
    const t = { at: this.#clock.now() + ms, every: 0, fn, dead: false };
    this.#timers.push(t);
    return { cancel: () => (t.dead = true) };
  }
  /** Advances the clock by `ms`, running every timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.#clock.now() + ms;
    while (true) {
      const live = this.#timers.filter((t) => !t.dead && t.at <= end).sort((a, b) => a.at - b.at);
      const t = live[0];
      if (!t) break;
      if (t.at > this.#clock.now()) this.#clock.set(t.at);
      if (t.every > 0) t.at += t.every;
      else t.dead = true;
      t.fn();
    }
    this.#clock.set(end);
    this.#timers = this.#timers.filter((t) => !t.dead);
  }
}
