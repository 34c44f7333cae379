// Regression: a spec with a budget policy first and a misspelt kind after it (`kind: 'error'`)
// was reported in two rounds: the kind first, then, once fixed, "is never evaluated: the budget
// policy at policies[0] … must be last" (a CommonJS express trial; the README promises every
// problem at once). The order check now runs whatever the policy's kind. Real parts: the spec
// check defineTelemetry runs.
import { expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';

it('spec-check-holds-back-policy-order-behind-a-misspelt-kind: both problems in one round', () => {
  let error: unknown;
  try {
    defineTelemetry({
      service: { name: 'orders' },
      events: {},
      sampling: {
        policies: [
          { name: 'base', kind: 'budget', tracesPerSecond: 2 },
          // @ts-expect-error -- the misspelt kind a CommonJS app (no types) passed
          { name: 'errors', kind: 'error' },
        ],
      },
    });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(SpecError);
  const paths = (error as SpecError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  expect(paths).toEqual([
    expect.stringMatching(/^sampling\.policies\[1\]\.kind: must be one of .*did you mean "errors"\?$/),
    expect.stringMatching(/^sampling\.policies\[1\]: is never evaluated: the budget policy at policies\[0\]/),
  ]);
});
