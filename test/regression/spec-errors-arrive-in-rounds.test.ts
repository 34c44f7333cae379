// Regression: a spec with a structure problem and a broken reference reported only the structure
// problem; the broken reference appeared after that was fixed, one round later.
import { describe, expect, it } from 'vitest';
import { defineTelemetry, SpecError, specIssues, type TelemetrySpec } from '../../src/index.js';

const spec = {
  service: { name: 'svc', colour: 'red' },
  events: { 'order.placed': { level: 'loud', fields: {} } },
  histograms: { 'request.duration': { description: 'd', unit: 's', buckets: { boundaries: [0.1, 0.5] } } },
  slos: {
    'orders-latency': {
      description: 'fast orders',
      objective: 99,
      sli: { kind: 'latency', histogram: 'request.duraton', threshold: 0.5 },
    },
  },
};

describe('spec errors arrive in one round', () => {
  it('reports structure problems and broken references together', () => {
    expect(specIssues(spec).map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'service.colour: is not a known key here (check its spelling and the section it is in)',
      'events["order.placed"].level: must be one of "trace", "debug", "info", "warn", "error", "fatal"',
      'slos["orders-latency"].sli.histogram: no histogram named "request.duraton" in the spec; did you mean "request.duration"?',
    ]);
  });

  it('throws them in one SpecError from defineTelemetry', () => {
    let error: unknown;
    try {
      defineTelemetry(spec as unknown as TelemetrySpec);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).issues.map((issue) => issue.path)).toEqual([
      'service.colour',
      'events["order.placed"].level',
      'slos["orders-latency"].sli.histogram',
    ]);
  });
});
