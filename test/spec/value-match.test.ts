import { describe, expect, it } from 'vitest';
import { labelMatcher } from '../../src/spec/promql.js';
import { exampleValue, valueMatcher, valueRegex } from '../../src/spec/value-match.js';

describe('match values: literals and * patterns', () => {
  it('reads * as any run of characters, and * alone as any value present', () => {
    const fiveXx = valueMatcher(['5*']);
    expect(['500', '503', '5'].map(fiveXx)).toEqual([true, true, true]);
    expect(['200', '404', '1500', '', undefined].map(fiveXx)).toEqual([false, false, false, false, false]);
    const present = valueMatcher(['*']);
    expect(['500', 'TimeoutError', '', undefined].map(present)).toEqual([true, true, false, false]);
  });

  it('keeps regex metacharacters of a value literal, in patterns too', () => {
    expect(valueRegex('a.b*')).toBe('a\\.b.*');
    const dotted = valueMatcher(['v1.2*']);
    expect(dotted('v1.2.3')).toBe(true);
    expect(dotted('v1x2.3')).toBe(false);
    expect(valueMatcher(['a|b'])('a')).toBe(false);
  });

  it('mixes literals and patterns in one list', () => {
    const bad = valueMatcher(['429', '5*']);
    expect(['429', '503', '404'].map(bad)).toEqual([true, true, false]);
  });

  it('writes PromQL: = for one literal, =~ for a pattern or several values', () => {
    expect(labelMatcher('code', ['500'])).toBe('code="500"');
    expect(labelMatcher('code', ['5*'])).toBe('code=~"5.*"');
    expect(labelMatcher('error_type', ['*'])).toBe('error_type=~".+"');
    expect(labelMatcher('code', ['429', '5*'])).toBe('code=~"429|5.*"');
  });

  it('gives a value each pattern matches (the promtool test series)', () => {
    for (const value of ['5*', '*', 'a*b*c', '429'])
      expect(valueMatcher([value])(exampleValue(value)), value).toBe(true);
  });
});
