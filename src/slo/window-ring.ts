// Event counts over one sliding window, kept in a fixed ring of time buckets: memory is
// constant whatever the event rate, and recording is an index computation and two adds.

/** Buckets per window: 1/120 of the window is the error at the window's edge (30 s for 1h). */
export const BUCKETS_PER_WINDOW = 120;

export class WindowRing {
  readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly size: number;
  private readonly total: Float64Array;
  private readonly bad: Float64Array;
  /** Absolute bucket number (time / bucketMs) of the newest bucket written. */
  private current = -Infinity;

  constructor(windowMs: number, buckets = BUCKETS_PER_WINDOW) {
    this.windowMs = windowMs;
    this.bucketMs = windowMs / buckets;
    // One more bucket than the window holds: the oldest is only partly inside the window.
    this.size = buckets + 1;
    this.total = new Float64Array(this.size);
    this.bad = new Float64Array(this.size);
  }

  record(now: number, count: number, isBad: boolean): void {
    this.add(now, count, isBad ? count : 0);
  }

  /** Adds `total` events, `bad` of them bad, at time `now`. */
  add(now: number, total: number, bad: number): void {
    let index = Math.floor(now / this.bucketMs);
    if (index > this.current) this.advance(index);
    // A clock that steps back writes into the newest bucket rather than into the past; sum()
    // reads that bucket until the clock has caught up.
    else index = this.current;
    const slot = slotOf(index, this.size);
    this.total[slot]! += total;
    this.bad[slot]! += bad;
  }

  /** The first time after `now` that falls into a later bucket than `now` does. */
  bucketEnd(now: number): number {
    return (Math.floor(now / this.bucketMs) + 1) * this.bucketMs;
  }

  /**
   * Events and bad events in (now - window, now]; the oldest bucket is counted pro rata. While the
   * clock is behind the newest bucket (it stepped back), the window ends with that bucket instead,
   * where add() kept the events recorded since: one window's worth of buckets up to the newest.
   */
  sum(now: number): { total: number; bad: number } {
    const end = Math.floor(now / this.bucketMs) < this.current ? (this.current + 1) * this.bucketMs : now;
    const windowStart = end - this.windowMs;
    const first = Math.floor(windowStart / this.bucketMs);
    const last = Math.min(Math.floor(end / this.bucketMs), this.current);
    let total = 0;
    let bad = 0;
    for (let index = Math.max(first, this.current - this.size + 1); index <= last; index++) {
      const slot = slotOf(index, this.size);
      const share = index === first ? ((first + 1) * this.bucketMs - windowStart) / this.bucketMs : 1;
      total += this.total[slot]! * share;
      bad += this.bad[slot]! * share;
    }
    return { total, bad };
  }

  private advance(index: number): void {
    const clearFrom = Math.max(this.current + 1, index - this.size + 1);
    for (let i = clearFrom; i <= index; i++) {
      const slot = slotOf(i, this.size);
      this.total[slot] = 0;
      this.bad[slot] = 0;
    }
    this.current = index;
  }
}

/** Ring position of an absolute bucket number (times before the epoch included). */
function slotOf(index: number, size: number): number {
  const slot = index % size;
  return slot < 0 ? slot + size : slot;
}
