// Regression (log review): a rate budget on a security event was accepted. Lines it left out
// never reached the security stream, so plumbline_security_events_total did not count them (15
// events counted as 3), and folded lines kept only the first line's `suppressed` (12 left out,
// 5 on the stream). The security stream already bounds its lines by folding repeats into counted
// summaries; the spec now refuses a budget on a security event, naming it.
import { expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';

it('refuses a budget on a security event, naming it', () => {
  expect(() =>
    defineTelemetry({
      service: { name: 'edge' },
      events: {
        'auth.failed': {
          level: 'warn',
          security: true,
          budget: { linesPerSecond: 1 },
          fields: { source: { type: 'string' }, outcome: { type: 'string' } },
        },
      },
    }),
  ).toThrow(/events\["auth\.failed"\]\.budget: a security event is not budgeted/);
});
