// Regression (log review): an event's rate budget refilled only while the clock moved forward
// from its last reading. When the wall clock stepped back (NTP, a VM resumed), the bucket stayed
// empty until the clock caught up with that reading: with a 2 lines/s budget and the clock an
// hour back, one call a second for 10 s wrote 0 lines of 10. The default clock is monotonic now
// (performance.now), and an injected clock that steps back refills from where it stepped to.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'request.rejected': {
      level: 'warn',
      budget: { linesPerSecond: 2 },
      fields: { reason: { type: 'string' } },
    },
  },
});

it('writes a budgeted event again once the wall clock has stepped back', () => {
  let now = 1_700_000_000_000;
  const captured = captureLines();
  const suppressed: string[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    now: () => now,
    onSuppressed: (event) => suppressed.push(event),
  });
  log.event('request.rejected', { reason: 'a' });
  log.event('request.rejected', { reason: 'a' });
  log.event('request.rejected', { reason: 'a' }); // over the budget: left out, counted
  now -= 3_600_000;
  for (let second = 0; second < 10; second++) {
    now += 1_000;
    log.event('request.rejected', { reason: 'b' });
  }
  // The bucket was empty when the clock stepped back: the first call after the step is left out,
  // every later one is written, and the second line carries both counts.
  const written = captured.lines.filter((line) => line.reason === 'b');
  expect(written).toHaveLength(9);
  expect(suppressed).toHaveLength(2);
  expect(written[0]!.suppressed).toBe(2);
});
