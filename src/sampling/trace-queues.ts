// The sampler's two queues of buffered traces: admission order (the oldest undecided trace, for
// the caps and the maximum age) and done traces in deadline order (the grace period). Entries of
// traces decided early are skipped lazily, so both are arrays with a moving head; the owner is
// told when an entry leaves (the processor reuses a decided trace's buffer once no queue holds it).

/** What the queues read of a trace. */
export interface QueuedTrace {
  readonly decided: boolean;
  readonly openLocal: number;
  readonly rootEnded: boolean;
  readonly pendingLinks: number;
  readonly linkedKept: boolean;
  deadline: number;
  queuedDeadline: number;
  queued: boolean;
}

/**
 * An array read from a moving head. Reaching the head is O(1) amortized where a Map's first
 * entry is O(deleted entries) in V8; the array is sliced once the consumed prefix is over 1,024
 * entries and more than half of it.
 */
class HeadQueue<T> {
  protected items: T[] = [];
  protected head = 0;

  /** `onLeave`: told of every entry that leaves the queue other than by being taken. */
  constructor(protected readonly onLeave: ((item: T) => void) | undefined) {}

  get length(): number {
    return this.items.length - this.head;
  }

  clear(): void {
    const { items, onLeave } = this;
    this.items = [];
    if (onLeave !== undefined) for (let i = this.head; i < items.length; i++) onLeave(items[i]!);
    this.head = 0;
  }

  protected compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Rebuilds the queue from the entries `keep` accepts, when skipping lazily is not enough. */
  protected retain(keep: (item: T) => boolean): void {
    const { items, onLeave } = this;
    const kept: T[] = [];
    for (let i = this.head; i < items.length; i++) {
      const item = items[i]!;
      if (keep(item)) kept.push(item);
      else if (onLeave !== undefined) onLeave(item);
    }
    this.items = kept;
    this.head = 0;
  }
}

/** Traces in order of admission, decided ones skipped: the oldest undecided trace. */
export class AdmissionQueue<T extends QueuedTrace> extends HeadQueue<T> {
  /** `bound`: entries beyond it (decided traces not yet skipped) are filtered out at once. */
  constructor(
    private readonly bound: number,
    onLeave?: (trace: T) => void,
  ) {
    super(onLeave);
  }

  push(trace: T): void {
    this.items.push(trace);
    // Decided traces must not linger here: they would keep their spans' memory alive.
    this.oldest();
    if (this.length > this.bound) this.retain(isUndecided);
  }

  oldest(): T | undefined {
    while (this.head < this.items.length && this.items[this.head]!.decided) {
      const left = this.items[this.head++]!;
      if (this.onLeave !== undefined) this.onLeave(left);
    }
    this.compact();
    return this.items[this.head];
  }
}

function isUndecided(trace: QueuedTrace): boolean {
  return !trace.decided;
}

function dequeueUndecided(trace: QueuedTrace): boolean {
  if (!trace.decided) return true;
  trace.queued = false;
  return false;
}

/** Done traces in order of their deadline (the grace is constant, so FIFO is deadline order). */
export class DeadlineQueue<T extends QueuedTrace> extends HeadQueue<T> {
  /** `bound`: past it, entries of traces decided early (caps) are filtered out at once. */
  constructor(
    private readonly bound: number,
    onLeave?: (trace: T) => void,
  ) {
    super(onLeave);
  }

  override clear(): void {
    for (let i = this.head; i < this.items.length; i++) this.items[i]!.queued = false;
    super.clear();
  }

  /** Queues a done trace unless it is queued already (its deadline is then read when it comes up). */
  push(trace: T): void {
    if (trace.queued) return;
    trace.queued = true;
    trace.queuedDeadline = trace.deadline;
    this.items.push(trace);
    if (this.length > this.bound) this.retain(dequeueUndecided);
  }

  /** The deadline of the next entry (a lower bound for the next due trace); Infinity when empty. */
  nextDeadline(): number {
    const head = this.items[this.head];
    return head === undefined ? Number.POSITIVE_INFINITY : head.deadline;
  }

  /**
   * Takes the next trace whose grace has passed at `now`; undefined when none is due. A trace that
   * reopened and is done again goes to the back with its new deadline; one that waits for traces
   * it links to gets another `linkWaitMs` (a keep of one of them keeps it too).
   */
  takeDue(now: number, linkWaitMs: number): T | undefined {
    while (this.head < this.items.length) {
      const trace = this.items[this.head]!;
      if (trace.decided || trace.openLocal > 0 || !trace.rootEnded) {
        trace.queued = false;
        this.head++;
        if (this.onLeave !== undefined) this.onLeave(trace);
        continue;
      }
      if (trace.deadline !== trace.queuedDeadline) {
        this.head++;
        trace.queuedDeadline = trace.deadline;
        this.items.push(trace);
        continue;
      }
      if (trace.deadline > now) break;
      if (trace.pendingLinks > 0 && !trace.linkedKept) {
        trace.deadline = now + linkWaitMs;
        continue;
      }
      this.head++;
      trace.queued = false;
      return trace;
    }
    this.compact();
    return undefined;
  }
}
