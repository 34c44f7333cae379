// The objective and error budget as alert text writes them: decimals as a person writes them.
import { describe, expect, it } from 'vitest';
import { errorBudgetPercentText, objectivePercentText, plainDecimal } from '../../src/slo/percent-text.js';

describe('objectivePercentText / errorBudgetPercentText', () => {
  it.each([
    [99.9, '99.9', '0.1'],
    [99.95, '99.95', '0.05'],
    [90, '90', '10'],
    [1, '1', '99'],
    [99.12345678, '99.12345678', '0.87654322'],
    [99.9999999999, '99.9999999999', '0.0000000001'],
    // 16 digits: 15 would read "100".
    [99.99999999999999, '99.99999999999999', '0.00000000000001'],
  ])('%s -> %s%% objective, %s%% budget', (objective, stated, budget) => {
    expect(objectivePercentText(objective)).toBe(stated);
    expect(errorBudgetPercentText(objective)).toBe(budget);
  });

  it('a computed objective loses its float dust', () => {
    expect(objectivePercentText(99 + 0.1 + 0.2)).toBe('99.3');
    expect(errorBudgetPercentText(99 + 0.1 + 0.2)).toBe('0.7');
  });
});

describe('plainDecimal', () => {
  it.each([
    [1e-7, 6, '0.0000001'],
    [1.000017846e-10, 6, '0.000000000100002'],
    [0.1 + 0.2, 6, '0.3'],
    [123456789, 6, '123457000'],
    [1e21, 6, '1000000000000000000000'],
    [-5e-9, 6, '-0.000000005'],
    [0, 6, '0'],
    [2, 6, '2'],
  ])('%s to %s digits -> %s', (value, digits, text) => {
    expect(plainDecimal(value, digits)).toBe(text);
  });
});
