// Regression: a map key that broke its name pattern was not named, and it hid every other problem.
// An SRE trial with an SLO keyed `Bad_Name` beside an SLO whose latency threshold 0.25 is not a
// bucket boundary got only
//   invalid telemetry spec (1 problem):
//     - slos: must match ^[a-z0-9][a-z0-9-]*$
// (the counters said `counters: must match ^[A-Za-z_][A-Za-z0-9_.]*$` the same way): the path was
// the map, not the key (ajv's propertyName was ignored), and every later problem inside `slos`
// was dropped as "already reported". Now the key is named with the pattern in words and the
// name it likely meant, and the map's other entries are checked in the same round.
import { describe, expect, it } from 'vitest';
import { specIssues } from '../../src/index.js';

const histograms = {
  'http.server.duration': { description: 'd', unit: 's', buckets: { boundaries: [0.1, 0.5, 1] } },
};
const counters = { requests: { description: 'Requests.', attributes: ['outcome'] } };
const available = { kind: 'availability', metric: 'requests', bad: { outcome: ['error'] } };

const messages = (spec: unknown): string[] =>
  specIssues(spec).map((issue) => `${issue.path}: ${issue.message}`);

describe('a map key that breaks its name pattern', () => {
  it('is named, and the other SLO threshold problem arrives in the same round', () => {
    expect(
      messages({
        service: { name: 'svc' },
        events: {},
        counters,
        histograms,
        slos: {
          Bad_Name: { description: 'a', objective: 99, sli: available },
          latency: {
            description: 'l',
            objective: 99,
            sli: { kind: 'latency', histogram: 'http.server.duration', threshold: 0.25 },
          },
        },
      }),
    ).toEqual([
      'slos.Bad_Name: an SLO name must match ^[a-z0-9][a-z0-9-]*$ (lowercase letters, digits and dashes); did you mean "bad-name"?',
      expect.stringMatching(/^slos\.latency\.sli\.threshold: 0\.25 is not a bucket boundary/),
    ]);
  });

  it('still reports the problems of the entry under the bad key', () => {
    expect(
      messages({
        service: { name: 'svc' },
        events: {},
        histograms,
        slos: {
          'Orders Latency': {
            description: 'l',
            objective: 99,
            sli: { kind: 'latency', histogram: 'http.server.duraton', threshold: 0.5 },
          },
        },
      }),
    ).toEqual([
      'slos["Orders Latency"]: an SLO name must match ^[a-z0-9][a-z0-9-]*$ (lowercase letters, digits and dashes); did you mean "orders-latency"?',
      'slos["Orders Latency"].sli.histogram: no histogram named "http.server.duraton" in the spec; did you mean "http.server.duration"?',
    ]);
  });

  it('names metric, event and event-field keys the same way, without hiding the rest', () => {
    expect(
      messages({
        service: { name: 'svc' },
        events: {
          'bad event': { level: 'info', fields: {} },
          ok: { level: 'inf', fields: { 'bad-field': { type: 'string' } } },
        },
        counters: { ...counters, 'bad-counter': { description: 'c' } },
        gauges: { '9lives': { description: 'g' } },
        histograms: { ...histograms, 'bad histogram': histograms['http.server.duration'] },
        slos: {
          avail: { description: 'a', objective: 99, sli: { ...available, bad: { outcom: ['error'] } } },
        },
      }),
    ).toEqual([
      'events["bad event"]: an event name must match ^[A-Za-z0-9_.-]+$ (letters, digits, "_", "." and "-"); did you mean "bad_event"?',
      'events.ok.level: must be one of "trace", "debug", "info", "warn", "error", "fatal"; did you mean "info"?',
      'events.ok.fields["bad-field"]: a field name must match ^[A-Za-z_][A-Za-z0-9_.]*$ (letters, digits, "_" and ".", not starting with a digit or "."); did you mean "bad_field"?',
      'counters["bad-counter"]: a metric name must match ^[A-Za-z_][A-Za-z0-9_.]*$ (letters, digits, "_" and ".", not starting with a digit or "."); did you mean "bad_counter"?',
      'gauges["9lives"]: a metric name must match ^[A-Za-z_][A-Za-z0-9_.]*$ (letters, digits, "_" and ".", not starting with a digit or "."); did you mean "_9lives"?',
      'histograms["bad histogram"]: a metric name must match ^[A-Za-z_][A-Za-z0-9_.]*$ (letters, digits, "_" and ".", not starting with a digit or "."); did you mean "bad_histogram"?',
      'slos.avail.sli.bad.outcom: "requests" has no attribute "outcom" (it has: outcome); did you mean "outcome"?',
    ]);
  });
});
