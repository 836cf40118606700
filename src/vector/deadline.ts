/**
 * A query's time budget, checked from inside long loops (exact scans, graph walks, filter
 * evaluation, sorting) so that a TIMEOUT cancels the work itself, not just the next phase.
 *
 * Reading a clock on every item would cost more than the item, so loops report work in units
 * (roughly one distance computation or one document) and the clock is read once per
 * {@link CHECK_EVERY} units. The clock is injected: the search layer passes the engine's
 * monotonic clock, which tests replace with a fake one.
 *
 * @module
 */

/** Units of work between two clock reads. */
export const CHECK_EVERY = 1024;

/** Thrown by {@link Deadline} when the budget is spent; the search layer turns it into an error reply. */
export class DeadlineExceeded extends Error {
  /** @param message a description for logs */
  constructor(message = "search deadline exceeded") {
    super(message);
    this.name = "DeadlineExceeded";
  }
}

/** A point in (monotonic) time after which work must stop. */
export class Deadline {
  readonly #nowUs: () => number;
  readonly #atUs: number;
  #pending = 0;

  /**
   * @param nowUs monotonic clock in microseconds
   * @param budgetUs microseconds from now until the deadline
   */
  constructor(nowUs: () => number, budgetUs: number) {
    this.#nowUs = nowUs;
    this.#atUs = nowUs() + budgetUs;
  }

  /** A deadline that never passes (callers without a TIMEOUT). */
  static never(): Deadline {
    return new Deadline(() => 0, Infinity);
  }

  /**
   * Counts `units` of work; once {@link CHECK_EVERY} units have accumulated, reads the clock.
   * @throws {DeadlineExceeded} when the deadline has passed
   */
  step(units = 1): void {
    this.#pending += units;
    if (this.#pending >= CHECK_EVERY) {
      this.#pending = 0;
      this.check();
    }
  }

  /**
   * Reads the clock now.
   * @throws {DeadlineExceeded} when the deadline has passed
   */
  check(): void {
    if (this.#nowUs() > this.#atUs) throw new DeadlineExceeded();
  }
}
