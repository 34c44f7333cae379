// Regression (hostile client): the tail sampler's decision cache (src/sampling/decision-cache.ts)
// found a trace's decision by an unkeyed hash of the ID's low 64 bits, which a client chooses
// through `traceparent`. The hash could be solved for: fix any low 32 bits, and one high word
// gives a chosen hash. 10,000 requests under such remote parents, each looked up in the cache at
// its start and its drop recorded at its end, put all 10,000 drops in one run of the index, which
// every lookup scanned (a run of 9,999 positions against 4 for random IDs; 275 ms of CPU against
// 31 ms for the 10,000 lookups and drops, and quadratic up to the dropped cache's 8 x maxTraces).
// The hash is now keyed per cache (vector multiply-shift over the fingerprint's bytes with random
// keys), so chosen IDs spread like random ones.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { DecisionCache } from '../../src/sampling/decision-cache.js';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom } from '../sampling/harness.js';

const REQUESTS = 10_000;
const random = seededRandom(64);
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
const word = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');

/**
 * The i-th of IDs whose low 64 bits all had one hash before (any low word; the high word solves
 * the first mixing step for one chosen value). Distinct IDs, distinct fingerprints.
 */
function chosenId(i: number): string {
  const low = Math.imul(i + 1, 0x9e3779b1);
  const high = 0x12345678 ^ Math.imul(low ^ (low >>> 15), 0x85ebca6b);
  return `${hex(16)}${word(high)}${word(low)}`;
}

/** The longest run of occupied positions in a fingerprint ring's index (what a lookup may scan). */
function longestRun(ring: unknown): number {
  const table = (ring as { table: Int32Array }).table;
  let longest = 0;
  let run = 0;
  for (let i = 0; i < table.length * 2; i += 2) {
    if (table[i % table.length] === 0) run = 0;
    else longest = Math.max(longest, ++run);
  }
  return Math.min(longest, table.length / 2);
}

describe('regression: decision cache hash collisions from chosen trace IDs', () => {
  it('spreads the drops of 10,000 requests under chosen traceparents over the index', () => {
    const spec: SamplingSpec = {
      decisionWaitMs: 0,
      maxTraces: REQUESTS,
      policies: [{ name: 'errors', kind: 'errors' }],
    };
    const r = rig(spec);
    for (let i = 0; i < REQUESTS; i++) {
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: chosenId(i),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      r.tracer.startSpan('POST /orders', { kind: SpanKind.SERVER }, parent).end();
    }
    const stats = r.processor.stats();
    expect(stats.decisions.errors?.keep ?? 0).toBe(0);
    expect(r.exported()).toHaveLength(0);
    const cache = (r.processor as unknown as { cache: { dropped: unknown } }).cache;
    // A lookup indexes what was recorded since the last one: index all 10,000 drops.
    expect((cache as unknown as DecisionCache).wasDropped(chosenId(REQUESTS))).toBe(false);
    // 10,000 random drops in an index of 262,144 positions make runs of a handful; was 9,999.
    expect(longestRun(cache.dropped)).toBeLessThan(50);
  });

  it('still answers each chosen ID right: dropped ones found, others not', () => {
    const cache = new DecisionCache(REQUESTS, REQUESTS * 8);
    const dropped = Array.from({ length: REQUESTS }, (_, i) => chosenId(i));
    const others = Array.from({ length: REQUESTS }, (_, i) => chosenId(REQUESTS + i));
    for (const id of dropped) cache.drop(id);
    for (const id of dropped) expect(cache.wasDropped(id)).toBe(true);
    for (const id of others) expect(cache.wasDropped(id)).toBe(false);
    expect(longestRun((cache as unknown as { dropped: unknown }).dropped)).toBeLessThan(50);
  });
});
