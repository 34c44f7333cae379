// An event's rate budget: a token bucket of `linesPerSecond` holding one second's worth, and the
// count of lines it left out since the last written one (that line carries it as `suppressed`).
// A log storm from one event then cannot flood the pipeline, and nothing is lost uncounted.

export class LineBudget {
  private readonly capacity: number;
  private tokens: number;
  private lastMs: number;
  /** Lines left out since the last written line. */
  private suppressed = 0;

  constructor(
    private readonly linesPerSecond: number,
    private readonly now: () => number,
  ) {
    this.capacity = Math.max(1, linesPerSecond);
    this.tokens = this.capacity;
    this.lastMs = now();
  }

  /** Whether this line may be written; false counts it as left out. */
  take(): boolean {
    const now = this.now();
    const elapsed = now - this.lastMs;
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.linesPerSecond) / 1000);
      this.lastMs = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.suppressed++;
    return false;
  }

  /** The count the line being written carries (0: none), reset for the next one. */
  takeSuppressed(): number {
    const count = this.suppressed;
    this.suppressed = 0;
    return count;
  }
}
