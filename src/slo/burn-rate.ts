// The burn-rate arithmetic shared by the in-process calculator, the rule generator and the
// live evaluator. Pure functions over counts; none returns NaN or Infinity.
import { errorBudgetPercentText } from './percent-text.js';

/**
 * Share of the SLO window's requests allowed to fail: 99.9 -> 0.001. 100 minus the objective is
 * worked out in decimal (percent-text.ts), not as a float difference, which for many nines is off
 * in the fifth digit: 99.9999999999 gave 1.00001784631e-12, written into the rules' divisors.
 */
export function errorBudget(objectivePercent: number): number {
  return Number(`${errorBudgetPercentText(objectivePercent)}e-2`);
}

/** Bad over total; 0 when there was no traffic, so a quiet window never reads as NaN. */
export function errorRatio(bad: number, total: number): number {
  return total > 0 ? bad / total : 0;
}

/** How many times faster than sustainable the budget is spent: 1 uses it up exactly over the window. */
export function burnRate(ratio: number, budget: number): number {
  return ratio / budget;
}

/**
 * The error ratio above which a tier's window counts as burning. Written as factor x budget,
 * the same product the generated PromQL computes, so both sides compare the same float.
 */
export function tierThreshold(factor: number, budget: number): number {
  return factor * budget;
}

/** A tier can fire only when its threshold ratio is below 1 (100% errors). */
export function tierCanFire(factor: number, budget: number): boolean {
  return tierThreshold(factor, budget) < 1;
}

/** Share of the window's budget still left (1 = untouched, 0 or less = spent; not clamped). */
export function errorBudgetRemaining(windowErrorRatio: number, budget: number): number {
  return 1 - windowErrorRatio / budget;
}

/**
 * Milliseconds until the remaining budget is gone at the given burn rate (burn 1 spends the
 * whole budget in one SLO window). Infinity when nothing burns; 0 when the budget is gone.
 */
export function timeToExhaustionMs(remaining: number, currentBurnRate: number, sloWindowMs: number): number {
  if (remaining <= 0) return 0;
  if (currentBurnRate <= 0) return Infinity;
  return (remaining * sloWindowMs) / currentBurnRate;
}
