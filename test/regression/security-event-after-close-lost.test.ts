// Regression (log review): a security event logged after the event logger was closed (the
// telemetry shut down while the service still drains requests) was handed to the closed
// security stream, which folded it into a window that would never be written: no line, no
// OTel Logs record, although plumbline_security_events_total counted it. It is now written as it
// comes, and reaches OTel Logs.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' } },
    },
  },
});

it('writes security events that arrive after close, each with its count', async () => {
  const app = captureLines();
  const security = captureLines();
  const counted: string[] = [];
  const bridged: Record<string, unknown>[] = [];
  const log = createEventLogger(spec, {
    destination: app.destination,
    securityDestination: security.destination,
    onSecurityEvent: (event, outcome) => counted.push(`${event}/${outcome}`),
    bridge: { emit: (_event, _level, attributes) => bridged.push(attributes) },
  });
  log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied' });
  await log.close();
  for (let i = 0; i < 3; i++) log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied' });
  expect(counted).toHaveLength(4);
  expect(security.lines).toHaveLength(4);
  expect(security.lines.map((line) => line.count)).toEqual([1, 1, 1, 1]);
  expect(bridged).toHaveLength(4);
});
