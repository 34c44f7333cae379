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

  it('does not report a trace that shares only the low 28 bits with a dropped one', () => {
    const cache = new DecisionCache(1, 4);
    cache.drop('0000000000000000001111111aaaaaaa');
    expect(cache.wasDropped('0000000000000000001111111aaaaaaa')).toBe(true);
    expect(cache.wasDropped('0000000000000000002222222aaaaaaa')).toBe(false);
  });
});
