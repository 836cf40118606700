/**
 * Latency observability, as Valkey keeps it:
 *
 * - The latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR): events (`command`,
 *   `fast-command`, `expire-cycle`) that took at least `latency-monitor-threshold` ms, one sample
 *   per event and second (the worst), the last 160 seconds kept, plus each event's all-time
 *   maximum. A threshold of 0 turns it off.
 * - Per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats), recorded while
 *   `latency-tracking` is `yes`. Valkey records into an HdrHistogram (1 ns .. 1 s, two
 *   significant digits); {@link LatencyHistogram} keeps the same buckets, so the reported
 *   values (a bucket's highest equivalent value) are Valkey's.
 *
 * @module
 */

/** Samples kept per event (Valkey's LATENCY_TS_LEN). */
const TS_LEN = 160;

interface TimeSeries {
  times: number[];
  latencies: number[];
  /** Next slot to write in the ring. */
  idx: number;
  max: number;
}

/** The latency monitor's events. */
export class LatencyMonitor {
  readonly #events = new Map<string, TimeSeries>();

  /** Records that `event` took `ms` milliseconds at Unix second `now`. */
  add(event: string, ms: number, now: number): void {
    let ts = this.#events.get(event);
    if (ts === undefined) {
      ts = { times: new Array(TS_LEN).fill(0), latencies: new Array(TS_LEN).fill(0), idx: 0, max: 0 };
      this.#events.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const prev = (ts.idx + TS_LEN - 1) % TS_LEN;
    // One sample per second: the worst.
    if (ts.times[prev] === now) {
      if (ms > ts.latencies[prev]!) ts.latencies[prev] = ms;
      return;
    }
    ts.times[ts.idx] = now;
    ts.latencies[ts.idx] = ms;
    ts.idx = (ts.idx + 1) % TS_LEN;
  }

  /** Event names with samples. */
  events(): string[] {
    return [...this.#events.keys()];
  }

  /** Each event's latest sample: `[event, time, latest ms, all-time max ms]`. */
  latest(): [string, number, number, number][] {
    return [...this.#events].map(([name, ts]) => {
      const last = (ts.idx + TS_LEN - 1) % TS_LEN;
      return [name, ts.times[last]!, ts.latencies[last]!, ts.max];
    });
  }

  /** The samples of `event`, oldest first, as `[time, ms]` (empty for an unknown event). */
  history(event: string): [number, number][] {
    const ts = this.#events.get(event);
    if (ts === undefined) return [];
    const out: [number, number][] = [];
    for (let i = 0; i < TS_LEN; i++) {
      const j = (ts.idx + i) % TS_LEN;
      if (ts.times[j] !== 0) out.push([ts.times[j]!, ts.latencies[j]!]);
    }
    return out;
  }

  /** The all-time maximum of `event` in ms, or undefined when it has no samples. */
  max(event: string): number | undefined {
    return this.#events.get(event)?.max;
  }

  /** Forgets the named events (every event when `names` is empty). @returns how many were forgotten */
  reset(names: readonly string[]): number {
    let n = 0;
    for (const name of [...this.#events.keys()]) {
      if (names.length === 0 || names.some((x) => x.toLowerCase() === name.toLowerCase())) {
        this.#events.delete(name);
        n++;
      }
    }
    return n;
  }
}

// HdrHistogram geometry of Valkey's command histograms: values 1 ns .. 1e9 ns, 2 significant
// digits, so 256 sub-buckets (the power of two above 2 * 10^2) and half of them per bucket.
const SUB_BUCKET_COUNT = 256;
const SUB_BUCKET_HALF_COUNT = 128;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
/** Largest value a histogram records (ns); longer durations count as this. */
export const HISTOGRAM_MAX_NS = 1_000_000_000;
// Buckets needed to cover HISTOGRAM_MAX_NS: each doubles the range of the one before.
const BUCKET_COUNT = (() => {
  let smallestUntrackable = SUB_BUCKET_COUNT;
  let n = 1;
  while (smallestUntrackable <= HISTOGRAM_MAX_NS) {
    smallestUntrackable *= 2;
    n++;
  }
  return n;
})();
const COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

function bucketIndex(v: number): number {
  // 32 - clz32(v | mask) is the bit length; values stay below 2^30.
  return 32 - Math.clz32(v | (SUB_BUCKET_COUNT - 1)) - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
}

function countsIndex(v: number): number {
  const b = bucketIndex(v);
  const sub = v >>> b;
  return ((b + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT);
}

function valueFromIndex(i: number): number {
  let b = (i >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let sub = (i & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (b < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    b = 0;
  }
  return sub * 2 ** b;
}

/** The highest value recorded in the same bucket as `v` (what HdrHistogram reports). */
export function highestEquivalent(v: number): number {
  const b = bucketIndex(v);
  const sub = v >>> b;
  const lowest = sub * 2 ** b;
  const size = 2 ** (sub >= SUB_BUCKET_COUNT ? b + 1 : b);
  return lowest + size - 1;
}

/** One command's latency histogram, in nanoseconds (see the module doc). */
export class LatencyHistogram {
  readonly #counts = new Float64Array(COUNTS_LEN);
  /** Values recorded. */
  total = 0;

  /** Records a duration of `ns` nanoseconds (clamped to 1 .. {@link HISTOGRAM_MAX_NS}). */
  record(ns: number): void {
    const v = ns < 1 ? 1 : ns > HISTOGRAM_MAX_NS ? HISTOGRAM_MAX_NS : Math.floor(ns);
    this.#counts[countsIndex(v)]!++;
    this.total++;
  }

  /** HdrHistogram's value at percentile `p` (0..100), in ns; 0 when empty. */
  valueAtPercentile(p: number): number {
    if (this.total === 0) return 0;
    const wanted = Math.max(1, Math.floor((Math.min(p, 100) / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      seen += this.#counts[i]!;
      if (seen >= wanted) return highestEquivalent(valueFromIndex(i));
    }
    return 0;
  }

  /**
   * The cumulative distribution LATENCY HISTOGRAM reports: at levels doubling from 1024 ns,
   * `[the level's highest equivalent value in µs, values recorded up to it]`, listing only the
   * levels where the count grows (HdrHistogram's logarithmic iteration).
   */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    let seen = 0;
    let reported = 0;
    let i = 0;
    for (let level = 1024; reported < this.total && level <= HISTOGRAM_MAX_NS * 2; level *= 2) {
      for (; i < COUNTS_LEN && valueFromIndex(i) <= level; i++) seen += this.#counts[i]!;
      if (seen > reported) {
        out.push([Math.floor(highestEquivalent(level) / 1000), seen]);
        reported = seen;
      }
    }
    return out;
  }
}
