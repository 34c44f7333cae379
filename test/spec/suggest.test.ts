import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from '../../src/spec/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('duraton', 'duration')).toBe(1);
    expect(editDistance('flaw', 'lawn')).toBe(2);
  });
});

describe('closestName', () => {
  it('answers the nearest candidate within a third of the length, ignoring case', () => {
    expect(closestName('latncy', ['latency', 'errors'])).toBe('latency');
    expect(closestName('Latency', ['latency'])).toBe('latency');
    expect(closestName('abc', ['xyz'])).toBeUndefined();
    expect(closestName('x', ['y'])).toBe('y'); // one edit is always allowed
  });

  it('breaks ties in sorted order, whatever the declaration order', () => {
    expect(closestName('cat', ['hat', 'bat'])).toBe('bat');
    expect(closestName('cat', ['bat', 'hat'])).toBe('bat');
  });

  it('never suggests the name itself', () => {
    expect(closestName('same', ['same'])).toBeUndefined();
  });
});

describe('didYouMean', () => {
  it('formats a suggestion, or nothing', () => {
    expect(didYouMean('requets', ['requests'])).toBe('; did you mean "requests"?');
    expect(didYouMean('zzz', ['requests'])).toBe('');
    expect(didYouMean(42, ['requests'])).toBe('');
  });
});
