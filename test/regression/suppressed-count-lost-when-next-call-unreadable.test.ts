// Regression (log review): the count of lines an event's budget left out was taken for the next
// call before its line was written. When that call could not be read (a getter threw), its line
// was written as `unreadable` without the count, and the count was gone from the log: only the
// metric had it.
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

it('carries the suppressed count on the next line that is written whole', () => {
  let now = 1_700_000_000_000;
  const captured = captureLines();
  const suppressed: string[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    now: () => now,
    onSuppressed: (event) => suppressed.push(event),
  });
  for (let i = 0; i < 3; i++) log.event('request.rejected', { reason: 'a' });
  expect(suppressed).toHaveLength(1);
  now += 1_000;
  log.event('request.rejected', {
    get reason(): string {
      throw new Error('unreadable');
    },
  });
  log.event('request.rejected', { reason: 'b' });
  const lines = captured.lines;
  expect(lines).toHaveLength(4);
  expect(lines[2]!.schema_violations).toEqual([{ reason: 'unreadable' }]);
  expect(lines[3]).toMatchObject({ reason: 'b', suppressed: 1 });
  expect(lines.reduce((sum, line) => sum + ((line.suppressed as number | undefined) ?? 0), 0)).toBe(
    suppressed.length,
  );
});
