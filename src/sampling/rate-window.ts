// Arrival rate of one budget key: a sliding one-second window (the previous window's count
// weighted by how much of it still overlaps, plus the current count). A burst detector takes
// over when the current window alone already shows a higher rate, so a key that jumps from quiet
// to flood is throttled within ~100 ms instead of after a whole window.

const WINDOW_MS = 1000;
// The burst estimate needs this many arrivals to be trusted (fewer would make a quiet key look
// busy right after a window rolls over) and never divides by less than this many ms.
const BURST_MIN_COUNT = 8;
const BURST_MIN_ELAPSED_MS = 100;

export class RateWindow {
  private start = Number.NaN;
  private previous = 0;
  private current = 0;

  record(nowMs: number): void {
    // Within the current window (the usual case, several times per trace) no roll is called: a
    // call fewer on the budget's per-trace path. NaN (no window yet) fails the test and rolls.
    const elapsed = nowMs - this.start;
    if (!(elapsed >= 0 && elapsed < WINDOW_MS)) this.roll(nowMs);
    this.current++;
  }

  /**
   * True while the window holds no count from a whole second before the current one (its first
   * second, or the first after a second without any): its rate is then the count so far, which
   * traffic faster than a few a second has not caught up with yet. Read after record() or
   * sliding() at the same time (they roll the window).
   */
  get learning(): boolean {
    return this.previous === 0;
  }

  /** Estimated arrivals per second at `nowMs`. */
  rate(nowMs: number): number {
    const sliding = this.sliding(nowMs);
    const elapsed = nowMs - this.start;
    // The detector is for traffic growing past what the last second saw (a quiet key flooded):
    // while the current window holds no more than the previous one, the sliding count is the
    // rate, and a key whose traffic comes in periodic bursts is not taken for its peak.
    if (this.current < BURST_MIN_COUNT || this.current <= this.previous || Number.isNaN(elapsed))
      return sliding;
    const burst = (this.current * 1000) / (elapsed > BURST_MIN_ELAPSED_MS ? elapsed : BURST_MIN_ELAPSED_MS);
    return burst > sliding ? burst : sliding;
  }

  /**
   * Arrivals over the last second (the sliding window alone, no burst detector): what a ceiling
   * on a second's count reads, so that keeps bunched at the start of a second are not taken for
   * a rate that lasts.
   */
  sliding(nowMs: number): number {
    let elapsed = nowMs - this.start;
    // (As in record: no roll within the current window.)
    if (!(elapsed >= 0 && elapsed < WINDOW_MS)) {
      this.roll(nowMs);
      elapsed = nowMs - this.start;
      if (Number.isNaN(elapsed)) return 0;
    }
    const overlap = 1 - elapsed / WINDOW_MS;
    return ((this.previous * overlap + this.current) * 1000) / WINDOW_MS;
  }

  private roll(nowMs: number): void {
    if (Number.isNaN(this.start)) {
      this.start = nowMs;
      return;
    }
    const elapsed = nowMs - this.start;
    if (elapsed < 0) {
      // The clock stepped back: the window starts again from here, with what it has counted
      // (read against a start ahead of the clock, the previous window weighed thousands of times).
      this.start = nowMs;
      return;
    }
    if (elapsed < WINDOW_MS) return;
    const windows = Math.floor(elapsed / WINDOW_MS);
    this.previous = windows === 1 ? this.current : 0;
    this.current = 0;
    this.start += windows * WINDOW_MS;
  }
}
