import { describe, expect, it } from 'vitest';
import { ExemplarKeepLimit, STALE_EXEMPLAR_MS } from '../../src/sampling/exemplar-keep-limit.js';

describe('ExemplarKeepLimit', () => {
  it('keeps at most one second of keeps plus the rate, whoever asks', () => {
    const limit = new ExemplarKeepLimit(10);
    let taken = 0;
    for (let ms = 0; ms < 10_000; ms++) if (limit.tryTake(ms, Number.POSITIVE_INFINITY)) taken++;
    expect(taken).toBeLessThanOrEqual(10 + 100);
    expect(taken).toBeGreaterThanOrEqual(100);
    expect(limit.refused).toBe(10_000 - taken);
  });

  it('holds half of the bucket back for empty and old slots, so busy slots cannot starve them', () => {
    const limit = new ExemplarKeepLimit(10);
    let fresh = 0;
    let stale = 0;
    let staleAsked = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      // A busy bucket's slot asks on every request; a rare one (empty or old) twice a second.
      if (limit.tryTake(ms, 5)) fresh++;
      if (ms % 500 === 0) {
        staleAsked++;
        if (limit.tryTake(ms, ms % 1000 === 0 ? Number.POSITIVE_INFINITY : STALE_EXEMPLAR_MS)) stale++;
      }
    }
    expect(stale).toBe(staleAsked);
    expect(fresh).toBeGreaterThan(0);
    expect(fresh + stale).toBeLessThanOrEqual(10 + 100);
  });

  it('holds one keep back for rare slots at 2 per second (half of the bucket is at least one)', () => {
    const limit = new ExemplarKeepLimit(2);
    expect(limit.tryTake(0, 0)).toBe(true); // a counter's slot (age 0) or a fresh one: 2 tokens
    expect(limit.tryTake(1, 0)).toBe(false); // 1 left: held back
    expect(limit.tryTake(2, Number.POSITIVE_INFINITY)).toBe(true); // an empty histogram slot takes it
    expect(limit.tryTake(3, Number.POSITIVE_INFINITY)).toBe(false);
  });

  it('refuses a fresh replacement at a rate under 1 only once the one token is used', () => {
    const limit = new ExemplarKeepLimit(0.5);
    expect(limit.tryTake(0, 1)).toBe(true);
    expect(limit.tryTake(1, 1)).toBe(false);
    expect(limit.tryTake(2_001, 1)).toBe(true); // 0.5/s: one token after 2 s
    // A clock that steps back adds nothing.
    expect(limit.tryTake(1_000, Number.POSITIVE_INFINITY)).toBe(false);
  });
});
