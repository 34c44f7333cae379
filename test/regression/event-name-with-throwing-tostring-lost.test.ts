// Regression (log review): an event name that could not be turned into text (an object whose
// toString throws, as a JavaScript caller can pass) was neither written nor counted: the line of
// an undeclared event threw while naming it, and the last-resort catch swallowed the call. It is
// now written and counted as an undeclared event named `(unreadable)`.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: { 'order.placed': { level: 'info', fields: {} } },
});

it('writes and counts a call whose event name cannot be read', () => {
  const captured = captureLines();
  const violations: string[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    onViolation: (event, reason) => violations.push(`${event}/${reason}`),
  });
  const name = {
    toString(): string {
      throw new Error('no name');
    },
  };
  expect(() => log.event(name as never, {} as never)).not.toThrow();
  expect(captured.lines).toHaveLength(1);
  expect(captured.lines[0]).toMatchObject({
    event: '(unreadable)',
    schema_violations: [{ reason: 'unknown_event' }],
  });
  expect(violations).toHaveLength(1);
  expect(violations[0]).toMatch(/\/unknown_event$/);
});
