// Regression: `buckets: { boundaries: [1, NaN, Infinity] }` was reported with the real problem
// ("boundaries[1]: must be number") and two false ones from the other plan of the oneOf
// ("fromSlos: is required but missing", "boundaries: is not a known key here"), and NaN read as
// "must be number" (a hostile-input trial). Only the plan the object's keys fit is reported now,
// and a non-finite number is called one. Real parts: the spec check defineTelemetry runs.
import { expect, it } from 'vitest';
import { defineTelemetry, type SpecError } from '../../src/index.js';

function problems(buckets: unknown): string[] {
  try {
    defineTelemetry({
      service: { name: 'x' },
      events: {},
      histograms: { h: { description: 'd', unit: 's', buckets: buckets as never } },
    });
  } catch (error) {
    return (error as SpecError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  return [];
}

it('bucket-plan-error-names-the-other-plan: only the plan the keys fit, NaN called non-finite', () => {
  expect(problems({ boundaries: [1, NaN, Infinity] })).toEqual([
    'histograms.h.buckets.boundaries[1]: must be a finite number, got NaN',
    'histograms.h.buckets.boundaries[2]: must be a finite number, got Infinity',
  ]);
  expect(problems({ fromSlos: { min: 1 } })).toEqual([
    'histograms.h.buckets.fromSlos.max: is required but missing',
  ]);
});
