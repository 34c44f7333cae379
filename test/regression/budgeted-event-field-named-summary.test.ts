// Regression: a budgeted event could declare a field named `summary`. Closing the event log writes
// that event a summary line {summary: true, suppressed: N} (its pending suppressed count), and the
// event's line schema takes either shape (oneOf): with the event's other fields optional, a plain
// line {summary: true, suppressed: 3} matched both branches and was refused by the schema
// check live and the exported line schema use. The spec now refuses the field, naming it.
import { describe, expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';

describe('budgeted event with a field named summary', () => {
  it('is refused, naming the field', () => {
    const define = () =>
      defineTelemetry({
        service: { name: 'edge' },
        events: {
          'cache.miss': {
            level: 'info',
            budget: { linesPerSecond: 10 },
            fields: { summary: { type: 'boolean', required: false } },
          },
        },
      });
    expect(define).toThrow(SpecError);
    expect(define).toThrow(/\(1 problem\)/);
    expect(define).toThrow(/events\["cache\.miss"\]\.fields\.summary: is written on the summary line/);
  });

  it('is accepted on an event without a budget', () => {
    const spec = defineTelemetry({
      service: { name: 'edge' },
      events: { 'cache.miss': { level: 'info', fields: { summary: { type: 'boolean', required: false } } } },
    });
    expect(Object.keys(spec.events)).toEqual(['cache.miss']);
  });
});
