// The buffered traces by trace ID: an open-addressing hash table (linear probing, backward-shift
// deletion) sized once from maxTraces, so it never rehashes or shrinks. A lookup hashes the whole
// ID, probes a short run of hashes kept beside the slots (so a probe does not touch an entry held
// since long, out of cache), and compares IDs only on a hash match.
//
// The hash is keyed: a client chooses every digit of a trace ID through `traceparent`, so an
// unkeyed hash lets it choose IDs that all land in one run (hashing only the last 8 hex digits,
// 10,000 IDs sharing them made one run of 10,000 slots and every lookup a scan of it:
// test/regression/trace-table-hash-collisions-from-chosen-trace-ids.test.ts). The hash is vector
// multiply-shift (Dietzfelbinger; Thorup, "High Speed Hashing for Integers and Strings", 2015)
// over the ID's character codes with 32-bit keys drawn at random per table: for two different
// IDs of ASCII characters chosen without knowing the keys, the top `bits` bits (up to 26) of the
// hash are equal with probability about 2^-bits, so chosen IDs collide no more often than random ones.
import { randomFillSync } from 'node:crypto';

/** What the table stores: anything with its trace ID and a slot for its hash. */
export interface TableEntry {
  readonly traceId: string;
  hash: number;
}

/** Keys per character position; IDs longer than this (never a W3C ID) reuse them. */
const KEYS = 32;

export class TraceTable<T extends TableEntry> {
  private readonly slots: (T | undefined)[];
  /** The hash of the entry in each slot (0 for an empty slot, or an entry whose hash is 0). */
  private readonly hashes: Int32Array;
  private readonly mask: number;
  /** A hash's home slot is its top bits: hash >>> shift. */
  private readonly shift: number;
  /** The hash's random keys: one per character position, then the added one. */
  private readonly keys: Int32Array;
  private count = 0;
  /** The ID of the last lookup that missed, and its hash: an add() of that ID does not hash it again. */
  private missedId: string | undefined = undefined;
  private missedHash = 0;

  /** `capacity`: the most entries it will hold (the table is at least twice that). */
  constructor(readonly capacity: number) {
    let size = 8;
    let bits = 3;
    while (size < capacity * 2) {
      size *= 2;
      bits++;
    }
    this.slots = new Array<T | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    this.shift = 32 - bits;
    this.keys = randomFillSync(new Int32Array(KEYS + 1));
  }

  get size(): number {
    return this.count;
  }

  get(traceId: string): T | undefined {
    const { slots, hashes, mask } = this;
    const hash = this.hash(traceId);
    for (let position = hash >>> this.shift; ; position = (position + 1) & mask) {
      if (hashes[position] !== hash) {
        if (hashes[position] === 0 && slots[position] === undefined) {
          this.missedId = traceId;
          this.missedHash = hash;
          return undefined;
        }
        continue;
      }
      const entry = slots[position];
      if (entry === undefined || entry.traceId === traceId) return entry;
    }
  }

  /** Adds an entry whose trace ID is not in the table; the caller keeps size <= capacity. */
  add(entry: T): void {
    if (this.count >= this.capacity) throw new RangeError('TraceTable is full');
    const traceId = entry.traceId;
    const hash = traceId === this.missedId ? this.missedHash : this.hash(traceId);
    entry.hash = hash;
    let position = hash >>> this.shift;
    while (this.slots[position] !== undefined) position = (position + 1) & this.mask;
    this.slots[position] = entry;
    this.hashes[position] = hash;
    this.count++;
  }

  delete(entry: T): void {
    const { slots, hashes, mask, shift } = this;
    let hole = entry.hash >>> shift;
    while (slots[hole] !== entry) {
      if (slots[hole] === undefined) return; // not in the table
      hole = (hole + 1) & mask;
    }
    // Backward-shift deletion: move up every later entry of the run that may not skip the hole.
    for (let position = (hole + 1) & mask; ; position = (position + 1) & mask) {
      const moving = slots[position];
      if (moving === undefined) break;
      const home = hashes[position]! >>> shift;
      const staysPut = hole <= position ? hole < home && home <= position : hole < home || home <= position;
      if (staysPut) continue;
      slots[hole] = moving;
      hashes[hole] = hashes[position]!;
      hole = position;
    }
    slots[hole] = undefined;
    hashes[hole] = 0;
    this.count--;
  }

  /** The entries, in table order (a snapshot: the caller may delete while going through it). */
  values(): T[] {
    const out: T[] = [];
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const entry = slots[i];
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }

  /** The longest run of occupied slots: the most slots a lookup may probe (for tests and stats). */
  longestRun(): number {
    const slots = this.slots;
    let longest = 0;
    let run = 0;
    // Twice round, so a run that wraps past the end is counted whole.
    for (let i = 0; i < slots.length * 2 && longest < slots.length; i++) {
      if (slots[i & this.mask] === undefined) run = 0;
      else if (++run > longest) longest = run;
    }
    return longest;
  }

  // Vector multiply-shift: keys[KEYS] + the sum of keys[i] x the i-th character code, mod 2^32
  // (the caller takes the top bits). One multiply-add per character, no allocation; four at a
  // time for a W3C ID (32 characters), which reads them faster.
  private hash(traceId: string): number {
    const keys = this.keys;
    let hash = keys[KEYS]!;
    const length = traceId.length;
    if (length === KEYS) {
      for (let i = 0; i < KEYS; i += 4)
        hash =
          (hash +
            Math.imul(keys[i]!, traceId.charCodeAt(i)) +
            Math.imul(keys[i + 1]!, traceId.charCodeAt(i + 1)) +
            Math.imul(keys[i + 2]!, traceId.charCodeAt(i + 2)) +
            Math.imul(keys[i + 3]!, traceId.charCodeAt(i + 3))) |
          0;
      return hash;
    }
    for (let i = 0; i < length; i++)
      hash = (hash + Math.imul(keys[i & (KEYS - 1)]!, traceId.charCodeAt(i))) | 0;
    return hash;
  }
}
