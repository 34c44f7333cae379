// Where held spans wait out the grace period: flattened into records of arrays the processor
// allocates in chunks (references in one, numbers in the other), so waiting costs no objects per
// span.
//
// Why. A trace that no policy keeps when it is done waits `decisionWaitMs` in case detached work
// adds a span that changes that; most such traces are then dropped. Held as objects (the SDK span,
// or a HeldSpan with the SDK's attributes and context objects), every held span is a handful of
// young objects that survive the scavenges of the grace and are promoted: at saturation that
// copying was most of the sampler's cost. The slab's arrays are large and old; a held span writes
// its fields into them (its span ID as two numbers), and only strings made per request (dynamic
// attribute values) are left for the scavenger. A held span becomes a HeldSpan again only when something reads it (a policy
// re-running during the grace, or the trace being kept).
//
// A record is REFS reference slots and NUMS number slots. A span takes one header record, plus
// continuation records for attributes past the header's ATTRIBUTES_IN_HEADER; records come from a
// free list, and a chunk of records is added when it runs dry (never past what the caps let the
// processor hold at once). A span not shaped like an SDK span (a hand-made ReadableSpan) is held
// as it is.
import type { Attributes, AttributeValue, HrTime, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { HeldSpan } from './held-span.js';

const REFS = 20;
const NUMS = 20;
// Header references.
const NAME = 0;
const SPAN_ID = 1;
const TRACE_STATE = 2;
const IS_REMOTE = 3;
const PARENT_TRACE_ID = 4;
const PARENT_SPAN_ID = 5;
const PARENT_TRACE_STATE = 6;
const PARENT_IS_REMOTE = 7;
const STATUS_MESSAGE = 8;
const EVENTS = 9;
const LINKS = 10;
const RESOURCE = 11;
const SCOPE = 12;
/** A span held as it is (not shaped like an SDK span); the other slots are unused. */
const RAW = 13;
const HEADER_ATTRIBUTES = 14;
const ATTRIBUTES_IN_HEADER = (REFS - HEADER_ATTRIBUTES) / 2;
const ATTRIBUTES_IN_CONTINUATION = REFS / 2;
// Header numbers.
const KIND = 0;
const TRACE_FLAGS = 1;
/** NaN when the span has no parent. */
const PARENT_TRACE_FLAGS = 2;
const STATUS_CODE = 3;
const START = 4; // seconds, nanos
const END = 6;
const DURATION = 8;
const DROPPED_ATTRIBUTES = 10;
const DROPPED_EVENTS = 11;
const DROPPED_LINKS = 12;
const ATTRIBUTE_COUNT = 13;
/** Header and continuation: the span's next continuation record, -1 for none. */
const CONTINUATION = 14;
/** Header: the next span of the same trace, -1 for none. */
const NEXT_SPAN = 15;
/**
 * The span ID as two 32-bit halves (this slot and the next) when it is 16 lowercase hex digits;
 * SPAN_ID is then unset. The same for the parent's span ID.
 */
const SPAN_ID_HIGH = 16;
const PARENT_SPAN_ID_HIGH = 18;

/** Records per chunk: a chunk's reference array (160 KiB) is a large object, never copied. */
const CHUNK_BITS = 10;
const CHUNK_RECORDS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_RECORDS - 1;

export class SpanSlab {
  // The arrays come in chunks added as the slab grows: growing copies nothing, and each chunk is
  // allocated once for the life of the processor.
  private readonly refChunks: unknown[][] = [];
  private readonly numChunks: Float64Array[] = [];
  private free = new Int32Array(0);
  private freeCount = 0;
  private capacity = 0;

  /** Records in use (for tests and stats). */
  get used(): number {
    return this.capacity - this.freeCount;
  }

  /**
   * Holds `span` and returns its header record, whose NEXT_SPAN is -1. Never throws: a span whose
   * fields cannot be read the SDK way is held as it is.
   */
  hold(span: ReadableSpan): number {
    const record = this.allocate();
    try {
      this.write(record, span);
    } catch {
      this.release(record); // not shaped like an SDK span
      const raw = this.allocate();
      this.refsOf(raw)[(raw & CHUNK_MASK) * REFS + RAW] = span;
      const nums = this.numsOf(raw);
      nums[(raw & CHUNK_MASK) * NUMS + CONTINUATION] = -1;
      nums[(raw & CHUNK_MASK) * NUMS + NEXT_SPAN] = -1;
      return raw;
    }
    return record;
  }

  /** The span after `record` in its trace, -1 for none. */
  next(record: number): number {
    return this.numsOf(record)[(record & CHUNK_MASK) * NUMS + NEXT_SPAN]!;
  }

  link(record: number, next: number): void {
    this.numsOf(record)[(record & CHUNK_MASK) * NUMS + NEXT_SPAN] = next;
  }

  /** Whether the span of `record` is held as it is; then `read` answers that very object. */
  isRaw(record: number): boolean {
    return this.refsOf(record)[(record & CHUNK_MASK) * REFS + RAW] !== undefined;
  }

  /** The span held in `record` (a HeldSpan showing what the held span showed), of trace `traceId`. */
  read(record: number, traceId: string): ReadableSpan {
    const refs = this.refsOf(record);
    const nums = this.numsOf(record);
    const r = (record & CHUNK_MASK) * REFS;
    const n = (record & CHUNK_MASK) * NUMS;
    const raw = refs[r + RAW];
    if (raw !== undefined) return raw as ReadableSpan;
    const context: SpanContext = {
      traceId,
      spanId: readId(refs[r + SPAN_ID], nums, n + SPAN_ID_HIGH),
      traceFlags: nums[n + TRACE_FLAGS]!,
      traceState: refs[r + TRACE_STATE] as SpanContext['traceState'],
    };
    if (refs[r + IS_REMOTE] !== undefined) context.isRemote = refs[r + IS_REMOTE] as boolean;
    let parent: SpanContext | undefined;
    if (!Number.isNaN(nums[n + PARENT_TRACE_FLAGS])) {
      parent = {
        traceId: refs[r + PARENT_TRACE_ID] as string,
        spanId: readId(refs[r + PARENT_SPAN_ID], nums, n + PARENT_SPAN_ID_HIGH),
        traceFlags: nums[n + PARENT_TRACE_FLAGS]!,
        traceState: refs[r + PARENT_TRACE_STATE] as SpanContext['traceState'],
      };
      if (refs[r + PARENT_IS_REMOTE] !== undefined) parent.isRemote = refs[r + PARENT_IS_REMOTE] as boolean;
    }
    const attributes: Attributes = {};
    let count = nums[n + ATTRIBUTE_COUNT]!;
    let slotRefs = refs;
    let slot = r + HEADER_ATTRIBUTES;
    let left = ATTRIBUTES_IN_HEADER;
    let current = record;
    while (count > 0) {
      if (left === 0) {
        current = this.numsOf(current)[(current & CHUNK_MASK) * NUMS + CONTINUATION]!;
        slotRefs = this.refsOf(current);
        slot = (current & CHUNK_MASK) * REFS;
        left = ATTRIBUTES_IN_CONTINUATION;
      }
      attributes[slotRefs[slot] as string] = slotRefs[slot + 1] as AttributeValue;
      slot += 2;
      left--;
      count--;
    }
    const message = refs[r + STATUS_MESSAGE] as string | undefined;
    const status: SpanStatus =
      message === undefined ? { code: nums[n + STATUS_CODE]! } : { code: nums[n + STATUS_CODE]!, message };
    const startTime: HrTime = [nums[n + START]!, nums[n + START + 1]!];
    const endTime: HrTime = [nums[n + END]!, nums[n + END + 1]!];
    const duration: HrTime = [nums[n + DURATION]!, nums[n + DURATION + 1]!];
    return new HeldSpan({
      name: refs[r + NAME] as string,
      kind: nums[n + KIND]!,
      spanContext: () => context,
      parentSpanContext: parent,
      startTime,
      endTime,
      status,
      attributes,
      links: refs[r + LINKS] as Link[],
      events: refs[r + EVENTS] as TimedEvent[],
      duration,
      ended: true,
      resource: refs[r + RESOURCE] as ReadableSpan['resource'],
      instrumentationScope: refs[r + SCOPE] as ReadableSpan['instrumentationScope'],
      droppedAttributesCount: nums[n + DROPPED_ATTRIBUTES]!,
      droppedEventsCount: nums[n + DROPPED_EVENTS]!,
      droppedLinksCount: nums[n + DROPPED_LINKS]!,
    });
  }

  /** Frees the span of `record` (not the spans after it) and lets go of what it referenced. */
  release(record: number): void {
    for (let current = record; current >= 0;) {
      const next = this.numsOf(current)[(current & CHUNK_MASK) * NUMS + CONTINUATION]!;
      const r = (current & CHUNK_MASK) * REFS;
      this.refsOf(current).fill(undefined, r, r + REFS);
      this.free[this.freeCount++] = current;
      current = next;
    }
  }

  private write(record: number, span: ReadableSpan): void {
    const refs = this.refsOf(record);
    const nums = this.numsOf(record);
    const r = (record & CHUNK_MASK) * REFS;
    const n = (record & CHUNK_MASK) * NUMS;
    nums[n + CONTINUATION] = -1;
    nums[n + NEXT_SPAN] = -1;
    const context = span.spanContext();
    const start = span.startTime;
    const end = span.endTime;
    const duration = span.duration;
    const status = span.status;
    nums[n + START] = start[0];
    nums[n + START + 1] = start[1];
    nums[n + END] = end[0];
    nums[n + END + 1] = end[1];
    nums[n + DURATION] = duration[0];
    nums[n + DURATION + 1] = duration[1];
    nums[n + KIND] = span.kind;
    nums[n + TRACE_FLAGS] = context.traceFlags;
    nums[n + STATUS_CODE] = status.code;
    nums[n + DROPPED_ATTRIBUTES] = span.droppedAttributesCount;
    nums[n + DROPPED_EVENTS] = span.droppedEventsCount;
    nums[n + DROPPED_LINKS] = span.droppedLinksCount;
    refs[r + NAME] = span.name;
    refs[r + SPAN_ID] = writeId(context.spanId, nums, n + SPAN_ID_HIGH);
    refs[r + TRACE_STATE] = context.traceState;
    refs[r + IS_REMOTE] = context.isRemote;
    refs[r + STATUS_MESSAGE] = status.message;
    refs[r + EVENTS] = span.events.length === 0 ? NO_EVENTS : span.events;
    refs[r + LINKS] = span.links.length === 0 ? NO_LINKS : span.links;
    refs[r + RESOURCE] = span.resource;
    refs[r + SCOPE] = span.instrumentationScope;
    const parent = span.parentSpanContext;
    if (parent === undefined) nums[n + PARENT_TRACE_FLAGS] = Number.NaN;
    else {
      nums[n + PARENT_TRACE_FLAGS] = parent.traceFlags;
      refs[r + PARENT_TRACE_ID] = parent.traceId;
      refs[r + PARENT_SPAN_ID] = writeId(parent.spanId, nums, n + PARENT_SPAN_ID_HIGH);
      refs[r + PARENT_TRACE_STATE] = parent.traceState;
      refs[r + PARENT_IS_REMOTE] = parent.isRemote;
    }
    let count = 0;
    let slotRefs = refs;
    let slot = r + HEADER_ATTRIBUTES;
    let left = ATTRIBUTES_IN_HEADER;
    let current = record;
    const attributes = span.attributes;
    // An attribute named __proto__ with an array value gives the SDK's attributes object that
    // array as its prototype, whose indices for-in reads: own keys only then
    // (test/regression/attribute-named-proto-adds-indexed-attributes.test.ts).
    const plain = Object.getPrototypeOf(attributes) === Object.prototype;
    for (const key in attributes) {
      if (!plain && !Object.hasOwn(attributes, key)) continue;
      if (left === 0) {
        const continuation = this.allocate(); // may add a chunk; the ones in hand stay valid
        this.numsOf(current)[(current & CHUNK_MASK) * NUMS + CONTINUATION] = continuation;
        this.numsOf(continuation)[(continuation & CHUNK_MASK) * NUMS + CONTINUATION] = -1;
        current = continuation;
        slotRefs = this.refsOf(continuation);
        slot = (continuation & CHUNK_MASK) * REFS;
        left = ATTRIBUTES_IN_CONTINUATION;
      }
      slotRefs[slot] = key;
      slotRefs[slot + 1] = attributes[key];
      slot += 2;
      left--;
      count++;
    }
    nums[n + ATTRIBUTE_COUNT] = count;
  }

  private refsOf(record: number): unknown[] {
    return this.refChunks[record >>> CHUNK_BITS]!;
  }

  private numsOf(record: number): Float64Array {
    return this.numChunks[record >>> CHUNK_BITS]!;
  }

  private allocate(): number {
    if (this.freeCount === 0) this.grow();
    return this.free[--this.freeCount]!;
  }

  // Adds a chunk (called with the free list empty).
  private grow(): void {
    const first = this.capacity;
    this.refChunks.push(new Array<unknown>(CHUNK_RECORDS * REFS).fill(undefined));
    this.numChunks.push(new Float64Array(CHUNK_RECORDS * NUMS));
    this.capacity += CHUNK_RECORDS;
    if (this.free.length < this.capacity)
      this.free = new Int32Array(Math.max(this.capacity, 2 * this.free.length));
    // New records are handed out lowest first.
    for (let record = this.capacity - 1; record >= first; record--) this.free[this.freeCount++] = record;
  }
}

// Span IDs are young strings, one per span: held as numbers they leave the scavenger nothing.
// Only the exact form the SDK generates (16 lowercase hex digits) is, so reading it back gives the
// same string; any other ID is held as it is.

/** The last ID converted by writeId: a child's parent ID is its root's own ID, the same string. */
let lastId = '';
let lastHigh = 0;
let lastLow = 0;

/** Writes a 16-digit lowercase hex ID as two numbers at `at` and returns undefined, else the ID. */
function writeId(id: string, nums: Float64Array, at: number): string | undefined {
  if (id !== lastId) {
    if (id.length !== 16) return id;
    const high = hex8(id, 0);
    const low = hex8(id, 8);
    if (high < 0 || low < 0) return id;
    lastId = id;
    lastHigh = high;
    lastLow = low;
  }
  nums[at] = lastHigh;
  nums[at + 1] = lastLow;
  return undefined;
}

function readId(held: unknown, nums: Float64Array, at: number): string {
  if (held !== undefined) return held as string;
  return nums[at]!.toString(16).padStart(8, '0') + nums[at + 1]!.toString(16).padStart(8, '0');
}

/** Lowercase hex digit values by character code (0-255), -1 for any other character. */
const HEX_DIGITS = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit++) HEX_DIGITS[digit.toString(16).charCodeAt(0)] = digit;

/** The 8 lowercase hex digits of `id` from `start` as a number, -1 if any is not one. */
function hex8(id: string, start: number): number {
  // Branch-free over the digits: a branch per digit is mispredicted on random IDs.
  let value = 0;
  let bad = 0;
  for (let i = start; i < start + 8; i++) {
    const code = id.charCodeAt(i);
    const digit = HEX_DIGITS[code & 255]!;
    bad |= digit | -(code >> 8);
    value = value * 16 + digit;
  }
  return bad < 0 ? -1 : value;
}

const NO_EVENTS: TimedEvent[] = [];
const NO_LINKS: Link[] = [];
