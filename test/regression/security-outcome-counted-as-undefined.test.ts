// Regression: a security event whose outcome was not in its enum was counted under
// outcome="undefined" (the line's outcome is left out once the schema refuses it; a
// hostile-input trial). It is counted under "(invalid)". Real parts: the event logger with its
// security stream over captured destinations.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string', enum: ['denied'] } },
    },
  },
});

it('security-outcome-counted-as-undefined: an outcome outside the enum is counted as (invalid)', () => {
  const counted: string[] = [];
  const log = createEventLogger(spec, {
    destination: captureLines().destination,
    securityDestination: captureLines().destination,
    onSecurityEvent: (event, outcome) => counted.push(`${event}/${outcome}`),
  });
  log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied' });
  log.event('auth.failed', { source: '10.0.0.1', outcome: 'pwned' as never });
  expect(counted).toEqual(['auth.failed/denied', 'auth.failed/(invalid)']);
});
