// Remembers decisions so late spans follow them: kept traces exactly (policy and threshold, in
// a bounded insertion-ordered map), dropped traces as 52-bit fingerprints of the trace ID in a
// fixed ring (8 bytes each plus a set entry; a false match needs two IDs sharing 52 random bits).

export interface KeptDecision {
  readonly policy: string;
  /** The 14-digit threshold written to `ot=th` for this trace. */
  readonly threshold: string;
  /** Dry run only: what the sampler would have done. */
  readonly dryRun?: 'keep' | 'drop';
}

export class DecisionCache {
  private readonly kept = new Map<string, KeptDecision>();
  private readonly droppedRing: Float64Array;
  private readonly dropped = new Set<number>();
  private droppedNext = 0;

  constructor(
    private readonly maxKept: number,
    maxDropped: number,
  ) {
    this.droppedRing = new Float64Array(maxDropped).fill(Number.NaN);
  }

  keep(traceId: string, decision: KeptDecision): void {
    if (this.kept.size >= this.maxKept) {
      const oldest = this.kept.keys().next();
      if (oldest.done !== true) this.kept.delete(oldest.value);
    }
    this.kept.set(traceId, decision);
  }

  drop(traceId: string): void {
    const fingerprint = fingerprintOf(traceId);
    const evicted = this.droppedRing[this.droppedNext]!;
    if (!Number.isNaN(evicted)) this.dropped.delete(evicted);
    this.droppedRing[this.droppedNext] = fingerprint;
    this.dropped.add(fingerprint);
    this.droppedNext = (this.droppedNext + 1) % this.droppedRing.length;
  }

  keptDecision(traceId: string): KeptDecision | undefined {
    return this.kept.get(traceId);
  }

  wasDropped(traceId: string): boolean {
    return this.dropped.size > 0 && this.dropped.has(fingerprintOf(traceId));
  }

  has(traceId: string): boolean {
    return this.kept.has(traceId) || this.wasDropped(traceId);
  }
}

// The trace ID's last 13 hex digits: random in W3C-random IDs and exact in a double.
function fingerprintOf(traceId: string): number {
  return parseInt(traceId.slice(-13), 16);
}
