// Regression: with an errors policy with a budget listed before the exemplar rule, the budget
// dropped error traces that an exemplar already pointed at: /metrics and OTLP carried exemplars
// of traces that were never exported (a newcomer's app, `errors: keep 9, drop 4`, the dropped
// trace's exemplar on the bucket and the counter lines). The spec now refuses that order, naming
// the field; the exemplar rule first (or left out: it is then added first) keeps the promise.
import { describe, expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';

function specWith(policies: readonly SamplingPolicySpec[]) {
  return {
    service: { name: 'shop' },
    events: {},
    sampling: { policies },
  };
}

describe('exemplar points at a trace dropped by the error budget (regression)', () => {
  it('refuses an exemplar rule after an errors budget, naming both policies', () => {
    const order = specWith([
      { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 5 } },
      { name: 'slow', kind: 'latency', thresholdMs: 500 },
      { name: 'exemplars', kind: 'exemplar' },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 10 },
    ]);
    let error: unknown;
    try {
      defineTelemetry(order);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).issues).toEqual([
      {
        path: 'sampling.policies[2]',
        message:
          'must come before the errors policy with a budget at policies[0]: that budget drops error traces, and an exemplar may already point at one',
      },
    ]);
  });

  it('accepts the exemplar rule first, or left out, or after an errors policy without a budget', () => {
    expect(() =>
      defineTelemetry(
        specWith([
          { name: 'exemplars', kind: 'exemplar' },
          { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 5 } },
        ]),
      ),
    ).not.toThrow();
    expect(() =>
      defineTelemetry(specWith([{ name: 'errors', kind: 'errors', budget: { tracesPerSecond: 5 } }])),
    ).not.toThrow();
    expect(() =>
      defineTelemetry(
        specWith([
          { name: 'errors', kind: 'errors' },
          { name: 'exemplars', kind: 'exemplar' },
        ]),
      ),
    ).not.toThrow();
  });
});
