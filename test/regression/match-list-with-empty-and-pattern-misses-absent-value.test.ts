// Regression (SLO review): a match list holding both "" and a pattern (`bad: { outcome: ['',
// 'err*'] }`) is `outcome=~"|err.*"` in PromQL, which selects the series without the label as
// well as the empty and `err...` ones. The shared value test (check live, promtool series) said an
// absent or empty value did not match such a list, while the rules and, since the same review,
// the in-process engine count it. Proven against PromQL's reading of the same regex in promtool
// by test/regression/slo-empty-match-value-engine-disagrees-with-rules.test.ts.
import { expect, it } from 'vitest';
import { valueMatcher } from '../../src/spec/value-match.js';

it('matches an absent or empty value against a list that holds "" and a pattern', () => {
  const test = valueMatcher(['', 'err*']);
  expect([undefined, '', 'error', 'err', 'ok', 'x-err'].map((value) => test(value))).toEqual([
    true,
    true,
    true,
    true,
    false,
    false,
  ]);
  // Without "" in the list, a pattern never matches the absent value, stars alone included.
  expect([valueMatcher(['err*'])(undefined), valueMatcher(['*'])(''), valueMatcher(['*'])('a')]).toEqual([
    false,
    false,
    true,
  ]);
});
