// Remembers decisions so late spans follow them, in memory allocated once at construction (typed
// arrays sized from the caps), so the cache costs the same at startup as under a flood. Kept
// traces by their whole 128-bit ID with the decision that kept them; dropped traces by the low
// 64 bits of the ID (a false "dropped" needs two live trace IDs sharing 64 random bits). Both are
// rings: the oldest decision is forgotten first.

export interface KeptDecision {
  readonly policy: string;
  /** The 14-digit threshold written to `ot=th` for this trace. */
  readonly threshold: string;
  /** Dry run only: what the sampler would have done. */
  readonly dryRun?: 'keep' | 'drop';
}

export class DecisionCache {
  private readonly kept: FingerprintRing;
  /** Decision per ring slot of `kept`; the processor shares one object per policy and threshold. */
  private readonly keptDecisions: (KeptDecision | undefined)[];
  private readonly dropped: FingerprintRing;

  constructor(maxKept: number, maxDropped: number) {
    this.kept = new FingerprintRing(maxKept, 4);
    this.keptDecisions = new Array<KeptDecision | undefined>(this.kept.capacity).fill(undefined);
    this.dropped = new FingerprintRing(maxDropped, 2);
  }

  keep(traceId: string, decision: KeptDecision): void {
    this.keptDecisions[this.kept.insert(traceId)] = decision;
  }

  drop(traceId: string): void {
    this.dropped.insert(traceId);
  }

  keptDecision(traceId: string): KeptDecision | undefined {
    const slot = this.kept.find(traceId);
    return slot < 0 ? undefined : this.keptDecisions[slot];
  }

  wasDropped(traceId: string): boolean {
    return this.dropped.find(traceId) >= 0;
  }

  has(traceId: string): boolean {
    return this.kept.find(traceId) >= 0 || this.dropped.find(traceId) >= 0;
  }

  /** Bytes held by the typed arrays (fixed for the life of the cache). */
  get fixedBytes(): number {
    return this.kept.fixedBytes + this.dropped.fixedBytes + this.keptDecisions.length * 4;
  }
}

/**
 * A fixed-capacity set of trace-ID fingerprints (`width` 32-bit words from the end of the ID),
 * evicting in insertion order: the fingerprints live in a ring, and an open-addressing table
 * (linear probing, backward-shift deletion, at most half full) maps a fingerprint to its ring
 * slot. No allocation per call: the ID is read with charCodeAt into a scratch array.
 */
class FingerprintRing {
  readonly capacity: number;
  private readonly words: Int32Array;
  private readonly occupied: Uint8Array;
  /** Ring slot + 1 per table position; 0 = empty. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly scratch: Int32Array;
  private next = 0;

  constructor(
    capacity: number,
    private readonly width: number,
  ) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.words = new Int32Array(this.capacity * width);
    this.occupied = new Uint8Array(this.capacity);
    let tableSize = 2;
    while (tableSize < this.capacity * 2) tableSize *= 2;
    this.table = new Int32Array(tableSize);
    this.mask = tableSize - 1;
    this.scratch = new Int32Array(width);
  }

  get fixedBytes(): number {
    return this.words.byteLength + this.occupied.byteLength + this.table.byteLength;
  }

  /** The ring slot holding this trace ID, or -1. */
  find(traceId: string): number {
    this.fingerprint(traceId);
    for (let position = this.home(this.scratch, 0); ; position = (position + 1) & this.mask) {
      const entry = this.table[position]!;
      if (entry === 0) return -1;
      if (this.matches(entry - 1)) return entry - 1;
    }
  }

  /** Adds the trace ID (forgetting the oldest when full) and returns its ring slot. */
  insert(traceId: string): number {
    const found = this.find(traceId); // leaves the fingerprint in scratch
    if (found >= 0) return found;
    const slot = this.next;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.occupied[slot] === 1) this.remove(slot);
    const base = slot * this.width;
    for (let w = 0; w < this.width; w++) this.words[base + w] = this.scratch[w]!;
    this.occupied[slot] = 1;
    let position = this.home(this.words, base);
    while (this.table[position] !== 0) position = (position + 1) & this.mask;
    this.table[position] = slot + 1;
    return slot;
  }

  private remove(slot: number): void {
    let hole = this.home(this.words, slot * this.width);
    while (this.table[hole] !== slot + 1) hole = (hole + 1) & this.mask;
    // Backward-shift deletion: move up every later entry of the run that may not skip the hole.
    for (let position = (hole + 1) & this.mask; ; position = (position + 1) & this.mask) {
      const entry = this.table[position]!;
      if (entry === 0) break;
      const home = this.home(this.words, (entry - 1) * this.width);
      const staysPut = hole <= position ? hole < home && home <= position : hole < home || home <= position;
      if (staysPut) continue;
      this.table[hole] = entry;
      hole = position;
    }
    this.table[hole] = 0;
    this.occupied[slot] = 0;
  }

  private matches(slot: number): boolean {
    const base = slot * this.width;
    for (let w = 0; w < this.width; w++) if (this.words[base + w] !== this.scratch[w]) return false;
    return true;
  }

  private home(words: Int32Array, base: number): number {
    let hash = words[base]!;
    for (let w = 1; w < this.width; w++)
      hash = Math.imul(hash ^ (hash >>> 15), 0x85ebca6b) ^ words[base + w]!;
    return (Math.imul(hash ^ (hash >>> 13), 0x9e3779b1) >>> 0) & this.mask;
  }

  // Word 0 is the last 8 hex digits (the W3C random part), word 1 the 8 before, and so on.
  private fingerprint(traceId: string): void {
    let end = traceId.length;
    for (let w = 0; w < this.width; w++) {
      let value = 0;
      for (let i = end - 8 > 0 ? end - 8 : 0; i < end; i++) {
        // Branch-free hex digit: '0'-'9' are 0x30-0x39, 'a'-'f' / 'A'-'F' end in 1-6 with bit 6
        // set (+9). A branch here is mispredicted on random IDs and costs more than the rest.
        const code = traceId.charCodeAt(i);
        value = (value << 4) | ((code & 15) + 9 * (code >> 6));
      }
      this.scratch[w] = value;
      end -= 8;
    }
  }
}
