// Remembers decisions so late spans follow them, in memory allocated once at construction (typed
// arrays sized from the caps), so the cache costs the same at startup as under a flood. Kept
// and dropped traces alike by the low 64 bits of the ID, random in every W3C trace ID (a false
// answer needs two live trace IDs sharing 64 random bits: about one lookup in 10^15 at the
// default sizes), kept ones with the decision that kept them. Both are rings: the oldest decision
// is forgotten first.
//
// Recording a decision is a sequential write (the processor records one per trace, and most are
// never looked up); the hash index is brought up to date when a lookup comes (late spans, exemplar
// checks), so a service whose traces have no late spans never pays for it.

import { randomFillSync } from 'node:crypto';
import { hexWord } from './trace-id-bits.js';

/** What a late span past its trace's cap of late spans gets from {@link DecisionCache.followLate}. */
export const LATE_CAPPED = 'capped';

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
  /** Late spans that followed each kept decision, per ring slot of `kept`. */
  private readonly lateCounts: Uint32Array;
  private readonly dropped: FingerprintRing;

  constructor(maxKept: number, maxDropped: number) {
    this.kept = new FingerprintRing(maxKept, 2);
    this.keptDecisions = new Array<KeptDecision | undefined>(this.kept.capacity).fill(undefined);
    this.lateCounts = new Uint32Array(this.kept.capacity);
    this.dropped = new FingerprintRing(maxDropped, 2);
  }

  /** Remembers a kept trace; if it was kept before, lookups answer with the latest decision. */
  keep(traceId: string, decision: KeptDecision): void {
    const slot = this.kept.add(traceId);
    this.keptDecisions[slot] = decision;
    this.lateCounts[slot] = 0;
  }

  drop(traceId: string): void {
    this.dropped.add(traceId);
  }

  /**
   * keep() and drop() for an ID already read as words: `low` = hexWord(id, id.length), `high` =
   * hexWord(id, id.length - 8). The processor reads them when a trace arrives, so deciding a trace
   * held since long does not read its ID string, out of cache by then, again.
   */
  keepWords(low: number, high: number, decision: KeptDecision): void {
    const slot = this.kept.addWords(low, high);
    this.keptDecisions[slot] = decision;
    this.lateCounts[slot] = 0;
  }

  dropWords(low: number, high: number): void {
    this.dropped.addWords(low, high);
  }

  keptDecision(traceId: string): KeptDecision | undefined {
    const slot = this.kept.find(traceId);
    return slot < 0 ? undefined : this.keptDecisions[slot];
  }

  /**
   * The kept decision a late span of `traceId` follows, counted against `cap` late spans per kept
   * trace: past it, LATE_CAPPED. Undefined when the trace was not kept (or is forgotten). Without
   * the cap a client that reuses the ID of a trace it got kept (an error, a slow request) in its
   * traceparent has every later request kept as that trace's late spans, past every budget.
   */
  followLate(traceId: string, cap: number): KeptDecision | typeof LATE_CAPPED | undefined {
    const slot = this.kept.find(traceId);
    if (slot < 0) return undefined;
    if (this.lateCounts[slot]! >= cap) return LATE_CAPPED;
    this.lateCounts[slot]!++;
    return this.keptDecisions[slot];
  }

  wasDropped(traceId: string): boolean {
    return this.dropped.find(traceId) >= 0;
  }

  has(traceId: string): boolean {
    return this.kept.find(traceId) >= 0 || this.dropped.find(traceId) >= 0;
  }

  /** Bytes held by the typed arrays (fixed for the life of the cache). */
  get fixedBytes(): number {
    return (
      this.kept.fixedBytes +
      this.dropped.fixedBytes +
      this.keptDecisions.length * 4 +
      this.lateCounts.byteLength
    );
  }
}

/**
 * A fixed-capacity multiset of trace-ID fingerprints (`width` 32-bit words from the end of the
 * ID), forgetting in insertion order: the fingerprints live in a ring, and an open-addressing
 * table (linear probing, backward-shift deletion, at most half full) maps a fingerprint to its
 * ring slots. Each table position holds the slot and the fingerprint's hash side by side, so a
 * probe (and a deletion's shifting) reads one place in memory and touches the fingerprint words
 * only to confirm a hash match.
 *
 * `add` only writes the ring; the entries added since the last lookup are indexed when the next
 * lookup comes (they are contiguous in the ring, and one forgotten before it was indexed is
 * simply skipped). No allocation per call: the ID is read with charCodeAt.
 *
 * The hash is keyed, as the trace table's is (src/sampling/trace-table.ts): a client chooses the
 * fingerprint through `traceparent`, and the unkeyed hash could be solved for, so 10,000 requests
 * with IDs chosen to share one hash made one run of 10,000 positions that every lookup scanned
 * (test/regression/decision-cache-hash-collisions-from-chosen-trace-ids.test.ts). It is vector
 * multiply-shift over the fingerprint's bytes with 32-bit keys drawn at random per ring, the home
 * position its top bits: two different fingerprints chosen without knowing the keys share a home
 * with probability about 1 / table size (up to 2^25 positions).
 */
class FingerprintRing {
  readonly capacity: number;
  private readonly words: Int32Array;
  /** Hash per ring slot (to index it, and to find its table position when it is forgotten). */
  private readonly hashes: Int32Array;
  /** Two ints per position: ring slot + 1 (0 = empty), then the fingerprint's hash. */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** A hash's home position is its top bits: hash >>> shift. */
  private readonly shift: number;
  /** The hash's random keys: one per byte of the fingerprint, then the added one. */
  private readonly keys: Int32Array;
  private readonly scratch: Int32Array;
  /** Entries ever added; entry n lives in slot n % capacity while n >= added - capacity. */
  private added = 0;
  /** Entries below this sequence number are in the table (unless forgotten since). */
  private indexed = 0;
  private nextSlot = 0;

  constructor(
    capacity: number,
    private readonly width: number,
  ) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.words = new Int32Array(this.capacity * width);
    this.hashes = new Int32Array(this.capacity);
    let tableSize = 2;
    let bits = 1;
    while (tableSize < this.capacity * 2) {
      tableSize *= 2;
      bits++;
    }
    this.table = new Int32Array(tableSize * 2);
    this.mask = tableSize - 1;
    this.shift = 32 - bits;
    this.keys = randomFillSync(new Int32Array(width * 4 + 1));
    this.scratch = new Int32Array(width);
  }

  get fixedBytes(): number {
    return this.words.byteLength + this.hashes.byteLength + this.table.byteLength;
  }

  /** The ring slot of the latest entry for this trace ID, or -1. */
  find(traceId: string): number {
    if (this.indexed < this.added) this.index();
    const hash = this.fingerprint(traceId);
    const table = this.table;
    let found = -1;
    let foundAge = this.capacity;
    for (let position = hash >>> this.shift; ; position = (position + 1) & this.mask) {
      const entry = table[position * 2]!;
      if (entry === 0) return found;
      if (table[position * 2 + 1] === hash && this.matches(entry - 1)) {
        // Usually the only match; a trace added twice answers with its latest entry.
        const age = (this.nextSlot - entry + this.capacity) % this.capacity;
        if (age < foundAge) {
          found = entry - 1;
          foundAge = age;
        }
      }
    }
  }

  /** Adds the trace ID (forgetting the oldest entry when full) and returns its ring slot. */
  add(traceId: string): number {
    return this.addScratch(this.fingerprint(traceId));
  }

  /** add() for a width-2 ring, the ID given as its two words (see DecisionCache.keepWords). */
  addWords(low: number, high: number): number {
    this.scratch[0] = low;
    this.scratch[1] = high;
    return this.addScratch(this.hashScratch());
  }

  private addScratch(hash: number): number {
    const slot = this.nextSlot;
    const forgotten = this.added - this.capacity;
    if (forgotten >= 0) {
      if (forgotten < this.indexed) this.unindex(slot);
      else this.indexed = forgotten + 1; // never indexed: nothing to remove
    }
    this.hashes[slot] = hash;
    const base = slot * this.width;
    for (let w = 0; w < this.width; w++) this.words[base + w] = this.scratch[w]!;
    this.added++;
    this.nextSlot = slot + 1 === this.capacity ? 0 : slot + 1;
    return slot;
  }

  /** Puts the entries added since the last lookup into the table. */
  private index(): void {
    const table = this.table;
    for (let seq = this.indexed; seq < this.added; seq++) {
      const slot = seq % this.capacity;
      const hash = this.hashes[slot]!;
      let position = hash >>> this.shift;
      while (table[position * 2] !== 0) position = (position + 1) & this.mask;
      table[position * 2] = slot + 1;
      table[position * 2 + 1] = hash;
    }
    this.indexed = this.added;
  }

  private unindex(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    const shift = this.shift;
    let hole = this.hashes[slot]! >>> shift;
    while (table[hole * 2] !== slot + 1) hole = (hole + 1) & mask;
    // Backward-shift deletion: move up every later entry of the run that may not skip the hole.
    for (let position = (hole + 1) & mask; ; position = (position + 1) & mask) {
      const entry = table[position * 2]!;
      if (entry === 0) break;
      const home = table[position * 2 + 1]! >>> shift;
      const staysPut = hole <= position ? hole < home && home <= position : hole < home || home <= position;
      if (staysPut) continue;
      table[hole * 2] = entry;
      table[hole * 2 + 1] = table[position * 2 + 1]!;
      hole = position;
    }
    table[hole * 2] = 0;
  }

  private matches(slot: number): boolean {
    const base = slot * this.width;
    for (let w = 0; w < this.width; w++) if (this.words[base + w] !== this.scratch[w]) return false;
    return true;
  }

  // Word 0 is the last 8 hex digits (the W3C random part), word 1 the 8 before, and so on.
  // Leaves the words in scratch and returns their hash.
  private fingerprint(traceId: string): number {
    let end = traceId.length;
    for (let w = 0; w < this.width; w++) {
      this.scratch[w] = hexWord(traceId, end);
      end -= 8;
    }
    return this.hashScratch();
  }

  // Vector multiply-shift over the fingerprint's bytes (8 bits each, so the top 25 bits of the
  // 32-bit sum are universal): the last key + the sum of each byte times its key, mod 2^32.
  private hashScratch(): number {
    const keys = this.keys;
    const scratch = this.scratch;
    let hash = keys[this.width * 4]!;
    for (let w = 0, k = 0; w < this.width; w++, k += 4) {
      const word = scratch[w]!;
      hash =
        (hash +
          Math.imul(keys[k]!, word & 255) +
          Math.imul(keys[k + 1]!, (word >>> 8) & 255) +
          Math.imul(keys[k + 2]!, (word >>> 16) & 255) +
          Math.imul(keys[k + 3]!, word >>> 24)) |
        0;
    }
    return hash;
  }
}
