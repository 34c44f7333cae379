// Regression: a histogram's buckets written as a list of bounds (`buckets: [0.1, 0.25, 1]`, the
// shape of OTel's explicit bucket advice and of prom-client's `buckets`) was refused with
// `histograms["request.duration"].buckets: must be object`, which names the field but not the
// object it wants. The README promises each problem names its field and what was expected: the
// message now names both shapes and, for a list, the line to write instead. It is a message
// only: what is accepted and refused is unchanged.
import { describe, expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';
import { specIssues } from '../../src/spec/validate.js';

const spec = (buckets: unknown): unknown => ({
  service: { name: 'orders' },
  events: {},
  histograms: { 'request.duration': { description: 'd', unit: 's', buckets } },
});

describe('regression: a bucket list says only "must be object"', () => {
  it('names both bucket shapes and the boundaries to write', () => {
    expect(specIssues(spec([0.1, 0.25, 1])).map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'histograms["request.duration"].buckets: must be an object, { boundaries: [...] } or { fromSlos: { min, max } }; for these bounds write buckets: { boundaries: [0.1,0.25,1] }',
    ]);
    expect(() => defineTelemetry(spec([0.1, 0.25, 1]) as never)).toThrow(SpecError);
    expect(() => defineTelemetry(spec([0.1, 0.25, 1]) as never)).toThrow(
      /write buckets: \{ boundaries: \[0\.1,0\.25,1\] \}/,
    );
  });

  it('names both shapes for another non-object, and accepts the object as before', () => {
    expect(specIssues(spec('exponential')).map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'histograms["request.duration"].buckets: must be an object, { boundaries: [...] } or { fromSlos: { min, max } }',
    ]);
    expect(specIssues(spec({ boundaries: [0.1, 0.25, 1] }))).toEqual([]);
  });
});

describe('regression: a bucket list that cannot be echoed', () => {
  it('names both shapes without the list for a long one or one that is not all numbers', () => {
    const shapes =
      'histograms["request.duration"].buckets: must be an object, { boundaries: [...] } or { fromSlos: { min, max } }';
    const long = Array.from({ length: 21 }, (_, i) => i + 1);
    for (const buckets of [long, [1n, 2n], ['0.1', '1']])
      expect(specIssues(spec(buckets)).map((issue) => `${issue.path}: ${issue.message}`)).toEqual([shapes]);
  });
});
