// Remembers decisions so late spans follow them. Kept traces exactly (policy and threshold), in
// a map bounded by a ring of its keys (evicting a Map's first key costs O(deleted entries) in V8).
// Dropped traces compactly: 56 bits of the trace ID split into two 28-bit small integers (a map
// key and a check value, no heap numbers and no strings retained), in a fixed ring. A false
// "dropped" needs two live trace IDs sharing 56 random bits.

export interface KeptDecision {
  readonly policy: string;
  /** The 14-digit threshold written to `ot=th` for this trace. */
  readonly threshold: string;
  /** Dry run only: what the sampler would have done. */
  readonly dryRun?: 'keep' | 'drop';
}

export class DecisionCache {
  private readonly kept = new Map<string, KeptDecision>();
  private readonly keptRing: (string | undefined)[];
  private keptNext = 0;
  private readonly dropped = new Map<number, number>();
  private readonly droppedKeys: Int32Array;
  private readonly droppedChecks: Int32Array;
  private droppedNext = 0;

  constructor(
    private readonly maxKept: number,
    private readonly maxDropped: number,
  ) {
    this.keptRing = new Array<string | undefined>(maxKept).fill(undefined);
    this.droppedKeys = new Int32Array(maxDropped).fill(-1);
    this.droppedChecks = new Int32Array(maxDropped);
  }

  keep(traceId: string, decision: KeptDecision): void {
    const evicted = this.keptRing[this.keptNext];
    if (evicted !== undefined) this.kept.delete(evicted);
    this.keptRing[this.keptNext] = traceId;
    this.keptNext = (this.keptNext + 1) % this.maxKept;
    this.kept.set(traceId, decision);
  }

  drop(traceId: string): void {
    const slot = this.droppedNext;
    const evictedKey = this.droppedKeys[slot]!;
    if (evictedKey >= 0 && this.dropped.get(evictedKey) === this.droppedChecks[slot])
      this.dropped.delete(evictedKey);
    const key = keyOf(traceId);
    const check = checkOf(traceId);
    this.droppedKeys[slot] = key;
    this.droppedChecks[slot] = check;
    this.dropped.set(key, check);
    this.droppedNext = (slot + 1) % this.maxDropped;
  }

  keptDecision(traceId: string): KeptDecision | undefined {
    return this.kept.get(traceId);
  }

  wasDropped(traceId: string): boolean {
    if (this.dropped.size === 0) return false;
    const check = this.dropped.get(keyOf(traceId));
    return check !== undefined && check === checkOf(traceId);
  }

  has(traceId: string): boolean {
    return this.kept.has(traceId) || this.wasDropped(traceId);
  }
}

// The last 14 hex digits are the W3C random part of the trace ID.
function keyOf(traceId: string): number {
  return parseInt(traceId.slice(-7), 16);
}

function checkOf(traceId: string): number {
  return parseInt(traceId.slice(-14, -7), 16);
}
