import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  burnRate,
  errorBudget,
  errorBudgetRemaining,
  errorRatio,
  tierCanFire,
  timeToExhaustionMs,
} from '../../src/slo/burn-rate.js';
import { defaultTiers, WORKBOOK_TIERS } from '../../src/slo/windows.js';
import { formatDuration, parseDuration } from '../../src/slo/duration.js';

describe('workbook tiers', () => {
  it('gives the SRE workbook factors for a 30d window', () => {
    const tiers = defaultTiers('30d');
    expect(
      Object.fromEntries(
        Object.entries(tiers).map(([name, t]) => [
          name,
          [t.severity, t.burnRate, t.longWindow, t.shortWindow],
        ]),
      ),
    ).toEqual({
      'page-fast': ['page', 14.4, '1h', '5m'],
      'page-slow': ['page', 6, '6h', '30m'],
      'ticket-fast': ['ticket', 3, '1d', '2h'],
      'ticket-slow': ['ticket', 1, '3d', '6h'],
    });
  });

  it('scales the factor with the SLO window so the same budget share fires', () => {
    expect(Object.values(defaultTiers('28d')).map((t) => t.burnRate)).toEqual([13.44, 5.6, 2.8, 0.933333]);
    expect(Object.values(defaultTiers('7d')).map((t) => t.burnRate)).toEqual([3.36, 1.4, 0.7, 0.233333]);
    expect(WORKBOOK_TIERS.map((t) => t.budgetPercent)).toEqual([2, 5, 10, 10]);
  });
});

describe('burn-rate math', () => {
  it('computes the budget without float dust', () => {
    expect(errorBudget(99.9)).toBe(0.001);
    expect(errorBudget(99.99)).toBe(0.0001);
    expect(errorBudget(99)).toBe(0.01);
  });

  it('never returns NaN or Infinity for any counts', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.double({ min: 50, max: 99.999, noNaN: true }), (a, b, objective) => {
        const total = Math.max(a, b);
        const bad = Math.min(a, b);
        const ratio = errorRatio(bad, total);
        const rate = burnRate(ratio, errorBudget(objective));
        expect(Number.isFinite(ratio) && Number.isFinite(rate)).toBe(true);
        expect(ratio).toBeGreaterThanOrEqual(0);
        expect(ratio).toBeLessThanOrEqual(1);
      }),
    );
    expect(errorRatio(0, 0)).toBe(0);
  });

  it('says when a tier can never fire', () => {
    expect(tierCanFire(14.4, 0.001)).toBe(true);
    expect(tierCanFire(14.4, 0.1)).toBe(false);
    expect(tierCanFire(10, 0.1)).toBe(false);
  });

  it('computes remaining budget and time to exhaustion', () => {
    expect(errorBudgetRemaining(0.0005, 0.001)).toBeCloseTo(0.5);
    const thirtyDays = 30 * 86_400_000;
    // Half the budget left, burning at 2x: the rest lasts a quarter of the window.
    expect(timeToExhaustionMs(0.5, 2, thirtyDays)).toBe(thirtyDays / 4);
    expect(timeToExhaustionMs(0.5, 0, thirtyDays)).toBe(Infinity);
    expect(timeToExhaustionMs(-0.2, 5, thirtyDays)).toBe(0);
  });

  it('parses and formats Prometheus durations', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('3d')).toBe(259_200_000);
    expect(parseDuration('1h30m')).toBeUndefined();
    expect(parseDuration('0m')).toBeUndefined();
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(7_200_000)).toBe('2h');
  });
});
