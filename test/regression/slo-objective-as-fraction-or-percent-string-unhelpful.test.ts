// Regression: an SLO objective written as a fraction or with a percent sign got an unhelpful
// message. `objective: 0.999` (meant: 99.9%) was read as 0.999% and reported three times as
//   slos.avail.alerting["page-fast"].burnRate: tier "page-fast" can never fire: 14.4x the 99.001%
//   error budget needs an error ratio of 1425.61% or more, ...
// never saying the objective is a percentage (and with those tiers off, 0.999% was accepted);
// `objective: "99.9%"` (a YAML string) got `slos.avail.objective: must be number`. Now an
// objective below 1 is refused on the objective itself with the percentage it meant, the tiers
// say nothing more about it, and a numeric string is told to drop the "%" (or the quotes).
import { describe, expect, it } from 'vitest';
import { specIssues } from '../../src/index.js';

const withObjective = (objective: unknown, alerting?: Record<string, false>): unknown => ({
  service: { name: 'svc' },
  events: {},
  counters: { requests: { description: 'Requests.', attributes: ['outcome'] } },
  slos: {
    avail: {
      description: 'a',
      objective,
      ...(alerting === undefined ? {} : { alerting }),
      sli: { kind: 'availability', metric: 'requests', bad: { outcome: ['error'] } },
    },
  },
});

const messages = (spec: unknown): string[] =>
  specIssues(spec).map((issue) => `${issue.path}: ${issue.message}`);

describe('an SLO objective is a percentage', () => {
  it('refuses a fraction on the objective, with the percentage it meant, and nothing on the tiers', () => {
    expect(messages(withObjective(0.999))).toEqual([
      'slos.avail.objective: 0.999 is a percentage here (0.999%); did you mean 99.9?',
    ]);
  });

  it('refuses a fraction when every tier that could not fire is turned off', () => {
    const off = { 'page-fast': false, 'page-slow': false, 'ticket-fast': false } as const;
    expect(messages(withObjective(0.999, off))).toEqual([
      'slos.avail.objective: 0.999 is a percentage here (0.999%); did you mean 99.9?',
    ]);
  });

  it('tells a string with a percent sign to drop it', () => {
    expect(messages(withObjective('99.9%'))).toEqual([
      'slos.avail.objective: must be a number of percent, without "%": 99.9',
    ]);
  });

  it('tells a quoted number to drop the quotes', () => {
    expect(messages(withObjective('99.9'))).toEqual([
      'slos.avail.objective: must be a number, not a string: 99.9 (without quotes)',
    ]);
  });

  it('still accepts 1 and 99.99', () => {
    expect(messages(withObjective(99.99))).toEqual([]);
    expect(
      messages(withObjective(1, { 'page-fast': false, 'page-slow': false, 'ticket-fast': false })),
    ).toEqual([]);
  });
});
