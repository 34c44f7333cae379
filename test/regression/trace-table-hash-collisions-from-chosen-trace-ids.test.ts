// Regression (hostile client): the tail sampler's trace table (src/sampling/trace-table.ts) hashed
// only the trace ID's last 8 hex digits, and a client chooses every digit through `traceparent`.
// 10,000 requests held open with IDs sharing those digits put all 10,000 traces in one probe run:
// each lookup scanned it, 50,005,000 ID comparisons for one lookup of each, and the per-span path
// went quadratic (10,000 open requests: 849 ms of CPU against 227 ms with random IDs; at the
// largest maxTraces, 1,000,000, far worse). The table now hashes the whole ID with keys drawn at
// random per table (vector multiply-shift), so chosen IDs spread like random ones: about one ID
// comparison per lookup and a longest run of a few dozen slots at most.
import { describe, expect, it } from 'vitest';
import { context, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TraceTable } from '../../src/sampling/trace-table.js';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom } from '../sampling/harness.js';

const HELD = 10_000;
/** The last 8 hex digits every chosen ID shares. */
const SHARED = '4bf92f35';
const random = seededRandom(24);
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
/** Distinct IDs that share their last 8 hex digits, as a client would send them. */
const chosenIds = (): string[] =>
  Array.from({ length: HELD }, (_, i) => `${i.toString(16).padStart(8, '0')}${hex(16)}${SHARED}`);

/** A table entry that counts how often the table reads its trace ID (one read per ID comparison). */
class CountingEntry {
  hash = 0;
  static reads = 0;
  constructor(private readonly id: string) {}
  get traceId(): string {
    CountingEntry.reads++;
    return this.id;
  }
}

describe('regression: trace table hash collisions from chosen trace IDs', () => {
  it('compares a lookup with about one held entry when 10,000 held IDs share their last 8 digits', () => {
    const ids = chosenIds();
    const table = new TraceTable<CountingEntry>(HELD);
    const entries = ids.map((id) => new CountingEntry(id));
    for (const entry of entries) table.add(entry);
    CountingEntry.reads = 0;
    for (let i = 0; i < ids.length; i++) expect(table.get(ids[i]!)).toBe(entries[i]);
    // One comparison per lookup for the entry found, plus a 32-bit hash match with another ID now
    // and then (about one lookup in 10^5); was 50,005,000.
    expect(CountingEntry.reads).toBeLessThan(HELD * 2);
    // Deleting half of them and looking the rest up again still finds each, at the same cost.
    for (let i = 0; i < ids.length; i += 2) table.delete(entries[i]!);
    CountingEntry.reads = 0;
    for (let i = 0; i < ids.length; i++)
      expect(table.get(ids[i]!)).toBe(i % 2 === 0 ? undefined : entries[i]);
    expect(CountingEntry.reads).toBeLessThan(HELD);
  });

  it('keeps the probe runs of 10,000 requests held open under chosen traceparents short', () => {
    const spec: SamplingSpec = { maxTraces: HELD, policies: [{ name: 'errors', kind: 'errors' }] };
    const r = rig(spec);
    const propagator = new W3CTraceContextPropagator();
    const open: Span[] = [];
    for (const [i, id] of chosenIds().entries()) {
      const carrier = { traceparent: `00-${id}-${(i + 1).toString(16).padStart(16, '0')}-01` };
      const parent = propagator.extract(ROOT_CONTEXT, carrier, {
        get: (headers, key) => headers[key as keyof typeof headers],
        keys: (headers) => Object.keys(headers),
      });
      expect(trace.getSpanContext(parent)?.traceId).toBe(id);
      open.push(r.tracer.startSpan('POST /orders', { kind: SpanKind.SERVER }, parent));
    }
    const table = (r.processor as unknown as { traces: TraceTable<never> }).traces;
    expect(r.processor.stats().bufferedTraces).toBe(HELD);
    // A table of 32,768 slots a third full: random IDs make runs of a few dozen slots at most (the
    // longest of 10,000 draws); was one run of all 10,000.
    expect(table.longestRun()).toBeLessThan(100);
    // Every request ends and is decided as before: nothing is lost on the way.
    context.with(ROOT_CONTEXT, () => {
      for (const span of open) span.end();
    });
    const stats = r.processor.stats();
    expect(stats.decisions.errors!.keep + stats.decisions.errors!.drop + stats.bufferedTraces).toBe(HELD);
  });
});
