import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_TIMER_MS, SYSTEM_SCHEDULER } from "../../src/runtime/clock.ts";

describe("SYSTEM_SCHEDULER.after", () => {
  it("does not fire a delay longer than setTimeout's 2^31-1 ms at once", async () => {
    let fired = false;
    const h = SYSTEM_SCHEDULER.after(MAX_TIMER_MS + 5_000, () => (fired = true));
    await new Promise((r) => setTimeout(r, 30));
    h.cancel();
    assert.equal(fired, false);
  });

  it("fires a short delay, and not once cancelled", async () => {
    let fired = 0;
    SYSTEM_SCHEDULER.after(5, () => fired++);
    const h = SYSTEM_SCHEDULER.after(5, () => (fired += 10));
    h.cancel();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(fired, 1);
  });
});
