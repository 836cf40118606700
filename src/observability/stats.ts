/**
 * Instantaneous metrics (ops/sec, network kbps) and the memory peak, sampled by the engine's
 * cron the way Valkey's `trackInstantaneousMetric` does.
 *
 * @module
 */

/** What a sample reads from the engine. */
export interface SampleSource {
  readonly stats: { totalCommandsProcessed: number; netInputBytes: number; netOutputBytes: number };
  readonly process: { memory(): { used: number } };
}

// Valkey keeps 16 samples per instantaneous metric, one taken every 100 ms by the cron.
const SAMPLES = 16;
const SAMPLE_PERIOD_MS = 100;

/** One instantaneous metric: a ring of per-second rates averaged over the last samples. */
export class Rate {
  readonly #samples = new Float64Array(SAMPLES);
  #idx = 0;
  #lastAt = 0;
  #lastValue = 0;

  /** Records the counter's `value` at `now` (ms); the rate is taken against the previous sample. */
  sample(now: number, value: number): void {
    if (this.#lastAt > 0) {
      const dt = now - this.#lastAt;
      this.#samples[this.#idx] = dt > 0 ? Math.floor(((value - this.#lastValue) * 1000) / dt) : 0;
      this.#idx = (this.#idx + 1) % SAMPLES;
    }
    this.#lastAt = now;
    this.#lastValue = value;
  }

  /** The average per-second rate over the last samples. */
  get value(): number {
    let sum = 0;
    for (const s of this.#samples) sum += s;
    return Math.floor(sum / SAMPLES);
  }

  /** Forgets every sample. */
  reset(): void {
    this.#samples.fill(0);
    this.#idx = 0;
    this.#lastAt = 0;
    this.#lastValue = 0;
  }
}

/**
 * Instantaneous rates (ops/sec, network kbps) and the memory peak, sampled by the engine's cron
 * as Valkey's `trackInstantaneousMetric` does.
 */
export class InstantMetrics {
  readonly ops = new Rate();
  readonly netIn = new Rate();
  readonly netOut = new Rate();
  /** Highest `used_memory` seen (INFO `used_memory_peak`). */
  peakMemory = 0;
  #lastSample = -Infinity;

  /** Takes a sample when at least 100 ms passed since the previous one. */
  sample(engine: SampleSource, now: number): void {
    if (now - this.#lastSample < SAMPLE_PERIOD_MS) return;
    this.#lastSample = now;
    const s = engine.stats;
    this.ops.sample(now, s.totalCommandsProcessed);
    this.netIn.sample(now, s.netInputBytes);
    this.netOut.sample(now, s.netOutputBytes);
    this.notePeak(engine.process.memory().used);
  }

  /** Raises the memory peak to `used` when higher. */
  notePeak(used: number): void {
    if (used > this.peakMemory) this.peakMemory = used;
  }

  /** Forgets every sample and the peak (CONFIG RESETSTAT). */
  reset(): void {
    this.ops.reset();
    this.netIn.reset();
    this.netOut.reset();
    this.peakMemory = 0;
    this.#lastSample = -Infinity;
  }
}
