// How many traces exemplars may keep per second. An exemplar slot takes the newest measurement
// made in a span, so without a limit every traced request that records a metric would ask to
// keep its trace and the budget would sample nothing away (regression:
// exemplars-kept-every-trace.test.ts). A token bucket of one second bounds the keeps; half of it
// is kept back for histogram slots that are empty or hold an old exemplar, so the slots of busy
// buckets and counters cannot starve the rare ones (the slow buckets, the exemplars worth most).
// A counter's slot never counts as rare (its slot age arrives as 0). From 2 per second up at
// least one keep is held back (under 2 the one token is shared): at 2 per second, half of the
// bucket was one token, which held nothing back, and a CommonJS express trial at 2/s got counter
// exemplars and none in the slow requests' bucket.

export { DEFAULT_EXEMPLAR_TRACES_PER_SECOND } from '../spec/sampling-settings.js';
/**
 * A slot whose exemplar is at least this old (or that is empty) may use the reserved half of the
 * bucket: every slot gets a new exemplar about this often, shorter than usual scrape intervals.
 */
export const STALE_EXEMPLAR_MS = 10_000;

export class ExemplarKeepLimit {
  private readonly capacity: number;
  /**
   * Tokens a slot that is not rare needs in the bucket: half of it, and at least 2 so that one is
   * held back; under 2 per second the one token is shared.
   */
  private readonly reserveFloor: number;
  private readonly perMs: number;
  private tokens: number;
  private lastMs: number | undefined = undefined;
  /** Keeps refused because the bucket was empty (or down to the stale slots' reserve). */
  refused = 0;

  constructor(readonly tracesPerSecond: number) {
    this.capacity = Math.max(1, tracesPerSecond);
    this.reserveFloor = this.capacity < 2 ? 1 : Math.max(2, this.capacity / 2);
    this.perMs = tracesPerSecond / 1000;
    this.tokens = this.capacity;
  }

  /**
   * Whether one more trace may be kept for an exemplar. `slotAgeMs`: how old the exemplar the
   * new one would replace is (Infinity for an empty slot).
   */
  tryTake(nowMs: number, slotAgeMs: number): boolean {
    const last = this.lastMs;
    if (last === undefined || nowMs > last) {
      if (last !== undefined)
        this.tokens = Math.min(this.capacity, this.tokens + (nowMs - last) * this.perMs);
      this.lastMs = nowMs;
    }
    const floor = slotAgeMs >= STALE_EXEMPLAR_MS ? 1 : this.reserveFloor;
    if (this.tokens < floor) {
      this.refused++;
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}
