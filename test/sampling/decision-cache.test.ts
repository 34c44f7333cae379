import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecisionCache } from '../../src/sampling/decision-cache.js';
import { seededIds } from './harness.js';

describe('DecisionCache', () => {
  it('remembers kept and dropped traces within its bounds and forgets the oldest beyond them', () => {
    const ids = seededIds(3);
    const cache = new DecisionCache(2, 3);
    const kept = [ids.generateTraceId(), ids.generateTraceId(), ids.generateTraceId()];
    for (const id of kept) cache.keep(id, { policy: 'errors', threshold: '00000000000000' });
    expect(cache.keptDecision(kept[0]!)).toBeUndefined();
    expect(cache.keptDecision(kept[2]!)).toEqual({ policy: 'errors', threshold: '00000000000000' });
    const dropped = [
      ids.generateTraceId(),
      ids.generateTraceId(),
      ids.generateTraceId(),
      ids.generateTraceId(),
    ];
    for (const id of dropped) cache.drop(id);
    expect(dropped.map((id) => cache.wasDropped(id))).toEqual([false, true, true, true]);
    expect(cache.has(kept[1]!)).toBe(true);
    expect(cache.has(ids.generateTraceId())).toBe(false);
  });

  it('answers like a first-in-first-out model over any sequence of keeps, drops and lookups', () => {
    // Few distinct IDs and tiny rings force probe collisions, wrap-around, backward shifts, and
    // entries forgotten before any lookup indexed them (lookups come only now and then).
    const id = fc
      .integer({ min: 0, max: 40 })
      .map((n) => ((n * 0x9e3779b1) >>> 0).toString(16).padStart(32, '0'));
    const op = fc.record({ kind: fc.constantFrom('keep', 'drop', 'keep', 'drop', 'lookup'), id });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(op, { maxLength: 120 }),
        (maxKept, maxDropped, ops) => {
          const cache = new DecisionCache(maxKept, maxDropped);
          // The model: the last maxKept keeps and the last maxDropped drops, repeats included;
          // a trace kept more than once answers with its latest decision.
          const kept: { id: string; policy: string }[] = [];
          const dropped: string[] = [];
          ops.forEach((o, n) => {
            if (o.kind === 'keep') {
              const policy = `p${n}`;
              cache.keep(o.id, { policy, threshold: '00000000000000' });
              kept.push({ id: o.id, policy });
              if (kept.length > maxKept) kept.shift();
            } else if (o.kind === 'drop') {
              cache.drop(o.id);
              dropped.push(o.id);
              if (dropped.length > maxDropped) dropped.shift();
            } else {
              for (let k = 0; k <= 40; k++) {
                const probe = ((k * 0x9e3779b1) >>> 0).toString(16).padStart(32, '0');
                const latest = kept.filter((e) => e.id === probe).at(-1);
                expect(cache.keptDecision(probe)?.policy).toBe(latest?.policy);
                expect(cache.wasDropped(probe)).toBe(dropped.includes(probe));
              }
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds its memory in arrays allocated once, sized from its bounds', () => {
    const cache = new DecisionCache(1_000, 8_000);
    const before = cache.fixedBytes;
    const ids = seededIds(9);
    for (let i = 0; i < 50_000; i++) {
      cache.keep(ids.generateTraceId(), { policy: 'p', threshold: '00000000000000' });
      cache.drop(ids.generateTraceId());
    }
    expect(cache.fixedBytes).toBe(before);
    // dropped: 2 words + 1 hash per entry, a table of 16,384 (slot + hash); kept: 2 words + 1 hash
    // + 1 reference + 1 late-span count per entry, a table of 2,048.
    expect(before).toBe(8_000 * 12 + 16_384 * 8 + 1_000 * 20 + 2_048 * 8);
  });

  it('does not report a trace that shares only the low 28 bits with a dropped one', () => {
    const cache = new DecisionCache(1, 4);
    cache.drop('0000000000000000001111111aaaaaaa');
    expect(cache.wasDropped('0000000000000000001111111aaaaaaa')).toBe(true);
    expect(cache.wasDropped('0000000000000000002222222aaaaaaa')).toBe(false);
  });
});
