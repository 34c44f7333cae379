// Regression: a misspelt enum value in a spec (a sampling policy `kind: 'error'`, a field
// `type: 'strng'`) was told only the list of allowed values, while a misspelt key or reference got
// the closest name; the sampler's own check had the suggestion, but validation filtered that
// message out behind the structure issue at the same place.
import { describe, expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';
import { specIssues } from '../../src/spec/validate.js';

describe('regression: spec enum typo gets no suggestion', () => {
  it('suggests the closest allowed value for a misspelt enum, and none for a value far from all', () => {
    const issues = specIssues({
      service: { name: 'svc' },
      events: { e: { level: 'eror', fields: { x: { type: 'strng' } } }, f: { level: 'loud', fields: {} } },
      sampling: { policies: [{ name: 'e', kind: 'error' }] },
    }).map((issue) => `${issue.path}: ${issue.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'events.e.fields.x.type: must be one of "string", "integer", "number", "boolean", "string[]", "object"; did you mean "string"?',
        'events.f.level: must be one of "trace", "debug", "info", "warn", "error", "fatal"',
        'sampling.policies[0].kind: must be one of "errors", "latency", "exemplar", "attribute", "budget"; did you mean "errors"?',
      ]),
    );
    expect(issues.find((issue) => issue.startsWith('events.e.level:'))).toMatch(/; did you mean "error"\?$/);
  });

  it('carries the suggestion in the SpecError defineTelemetry throws', () => {
    const spec = {
      service: { name: 'svc' },
      events: {},
      sampling: { policies: [{ name: 'slow', kind: 'latncy', thresholdMs: 500 }] },
    };
    expect(() => defineTelemetry(spec as never)).toThrow(SpecError);
    expect(() => defineTelemetry(spec as never)).toThrow(
      /sampling\.policies\[0\]\.kind: .*did you mean "latency"\?/,
    );
  });
});
