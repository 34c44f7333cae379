// The buffered traces by trace ID: an open-addressing hash table (linear probing, backward-shift
// deletion) sized once from maxTraces, so it never rehashes or shrinks. The hash is the trace
// ID's last 8 hex digits, random in every W3C trace ID, so no string hashing is needed; a lookup
// reads 8 characters, probes a short run of hashes kept beside the slots (so a probe does not
// touch an entry held since long, out of cache), and compares IDs only on a hash match.
import { hexWord } from './trace-id-bits.js';

/** What the table stores: anything with its trace ID and a slot for its hash. */
export interface TableEntry {
  readonly traceId: string;
  hash: number;
}

export class TraceTable<T extends TableEntry> {
  private readonly slots: (T | undefined)[];
  /** The hash of the entry in each slot (0 for an empty slot, or an entry whose hash is 0). */
  private readonly hashes: Int32Array;
  private readonly mask: number;
  private count = 0;

  /** `capacity`: the most entries it will hold (the table is at least twice that). */
  constructor(readonly capacity: number) {
    let size = 8;
    while (size < capacity * 2) size *= 2;
    this.slots = new Array<T | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  get(traceId: string): T | undefined {
    return this.getByWord(traceId, hexWord(traceId, traceId.length));
  }

  /** get() with the ID's last 8 hex digits already read (`low` = hexWord(traceId, traceId.length)). */
  getByWord(traceId: string, low: number): T | undefined {
    const { slots, hashes, mask } = this;
    const hash = mix(low);
    for (let position = hash & mask; ; position = (position + 1) & mask) {
      if (hashes[position] !== hash) {
        if (hashes[position] === 0 && slots[position] === undefined) return undefined;
        continue;
      }
      const entry = slots[position];
      if (entry === undefined || entry.traceId === traceId) return entry;
    }
  }

  /** Adds an entry whose trace ID is not in the table; the caller keeps size <= capacity. */
  add(entry: T): void {
    this.addByWord(entry, hexWord(entry.traceId, entry.traceId.length));
  }

  /** add() with the ID's last 8 hex digits already read (see getByWord). */
  addByWord(entry: T, low: number): void {
    if (this.count >= this.capacity) throw new RangeError('TraceTable is full');
    const hash = mix(low);
    entry.hash = hash;
    let position = hash & this.mask;
    while (this.slots[position] !== undefined) position = (position + 1) & this.mask;
    this.slots[position] = entry;
    this.hashes[position] = hash;
    this.count++;
  }

  delete(entry: T): void {
    const { slots, hashes, mask } = this;
    let hole = entry.hash & mask;
    while (slots[hole] !== entry) {
      if (slots[hole] === undefined) return; // not in the table
      hole = (hole + 1) & mask;
    }
    // Backward-shift deletion: move up every later entry of the run that may not skip the hole.
    for (let position = (hole + 1) & mask; ; position = (position + 1) & mask) {
      const moving = slots[position];
      if (moving === undefined) break;
      const home = hashes[position]! & mask;
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
}

/** The hash of an ID from its last 8 hex digits (the W3C random part), mixed. */
function mix(low: number): number {
  return Math.imul(low ^ (low >>> 16), 0x45d9f3b) | 0;
}
