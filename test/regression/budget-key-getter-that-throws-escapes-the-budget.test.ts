// Regression (log review): an event's keyed rate budget read the key field before charging a
// budget. A call whose key getter threw never reached the budget: each such call wrote its
// `unreadable` line, so a storm of them (a model object whose getter fails, a revoked Proxy) was
// written whole, 1,000 lines in a second under a budget of 2/s, and none was counted as left out.
// An unreadable call is now charged to the event's shared budget (as a call without its key).
// Real parts: the event logger.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'gateway' },
  events: {
    'request.throttled': {
      level: 'warn',
      budget: { linesPerSecond: 2, key: 'tenant' },
      fields: { tenant: { type: 'string', enum: ['a', 'b'] }, path: { type: 'string' } },
    },
  },
});

it('a storm of calls whose key cannot be read is held to the budget and counted', () => {
  let now = 1_700_000_000_000;
  const captured = captureLines();
  const suppressed: string[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    now: () => now,
    onSuppressed: (event) => suppressed.push(event),
  });
  const unreadable = {
    path: '/x',
    get tenant(): 'a' {
      throw new Error('model detached');
    },
  };
  for (let i = 0; i < 1_000; i++) log.event('request.throttled', unreadable);
  expect(captured.lines).toHaveLength(2);
  for (const line of captured.lines) expect(line.schema_violations).toEqual([{ reason: 'unreadable' }]);
  expect(suppressed).toHaveLength(998);
  // The count left out reaches the log with the next line written whole.
  now += 1_000;
  log.event('request.throttled', { tenant: 'a', path: '/a' });
  expect(captured.lines[2]).toMatchObject({ tenant: 'a' });
  // Taken by the shared budget (the unreadable calls'), so carried by its next line.
  log.event('request.throttled', { tenant: 'c', path: '/c' } as never);
  expect(captured.lines[3]).toMatchObject({ suppressed: 998 });
});
