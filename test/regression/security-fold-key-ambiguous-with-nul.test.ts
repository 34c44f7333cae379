// Regression (log review): the security stream folded repeats under one string key, event, source
// and outcome joined by `\0`. A source or outcome holding `\0` made two different pairs one key:
// source "10.0.0.1\0denied" with outcome "x" folded into source "10.0.0.1" with outcome
// "denied\0x", so the second source's event was counted on the first source's summary and never
// had a line of its own. The key now cannot be made to collide.
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

it('gives each (source, outcome) its own first sighting, whatever the values hold', async () => {
  const security = captureLines();
  const log = createEventLogger(spec, {
    destination: captureLines().destination,
    securityDestination: security.destination,
  });
  log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied\u0000x' });
  log.event('auth.failed', { source: '10.0.0.1\u0000denied', outcome: 'x' });
  await log.close();
  expect(
    security.lines.map(({ source, outcome, count, summary }) => ({ source, outcome, count, summary })),
  ).toEqual([
    { source: '10.0.0.1', outcome: 'denied\u0000x', count: 1, summary: undefined },
    { source: '10.0.0.1\u0000denied', outcome: 'x', count: 1, summary: undefined },
  ]);
});
