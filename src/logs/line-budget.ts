// An event's rate budget: a token bucket of `linesPerSecond` holding one second's worth, and the
// count of lines it left out since the last written one (that line carries it as `suppressed`).
// A log storm from one event then cannot flood the pipeline, and nothing is lost uncounted.
import type { EventSpec } from '../spec/types.js';

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
    } else if (elapsed < 0) {
      // The wall clock stepped back (NTP, a VM resumed): refill from here, not from a time that
      // has not come yet (the event was silent until the clock caught up with it).
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

  /** A count taken for a line that could not be written: the next written line carries it. */
  giveBack(count: number): void {
    this.suppressed += count;
  }
}

/**
 * An event's budgets: one, or with `budget.key` one per value of that enum field (made up front,
 * so the count is bounded by the enum). A call whose key field is missing or not one of the
 * values shares the event's one other budget; validation reports such a call as usual.
 */
export class EventBudget {
  /** The budget of calls whose key field is missing, not one of its values, or unreadable. */
  readonly shared: LineBudget;
  private readonly byValue: ReadonlyMap<unknown, LineBudget> | undefined;
  private readonly key: string | undefined;
  /** Whether the budget depends on a field's value (`budget.key` names an enum field). */
  readonly keyed: boolean;

  constructor(event: EventSpec, now: () => number) {
    const { linesPerSecond, key } = event.budget!;
    this.shared = new LineBudget(linesPerSecond, now);
    this.key = key;
    const values = key === undefined ? undefined : event.fields[key]?.enum;
    this.byValue =
      values === undefined
        ? undefined
        : new Map(values.map((value) => [value, new LineBudget(linesPerSecond, now)]));
    this.keyed = this.byValue !== undefined;
  }

  /** The count no written line has carried yet, over all the event's budgets, taken (reset). */
  takePending(): number {
    let count = this.shared.takeSuppressed();
    if (this.byValue !== undefined)
      for (const budget of this.byValue.values()) count += budget.takeSuppressed();
    return count;
  }

  /**
   * The budget this call's line draws on. Reads the key field: give it the fields the line is
   * written from (a getter read twice could charge one key and write another).
   */
  for(fields: unknown): LineBudget {
    if (this.byValue === undefined || typeof fields !== 'object' || fields === null) return this.shared;
    return this.byValue.get((fields as Record<string, unknown>)[this.key!]) ?? this.shared;
  }
}
