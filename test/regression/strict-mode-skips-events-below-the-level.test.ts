// Regression: strict mode, documented "for tests", checked only the events its level writes: at
// the default level (info) a debug event with a wrong field neither threw nor was counted, so a
// team's test suite missed every debug event's mistake (a TypeScript fastify trial). Strict mode
// now checks every event; a valid event below the level still writes nothing. Real parts: the
// event logger over a captured destination.
import { expect, it } from 'vitest';
import { createEventLogger, SchemaViolationError } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

it('strict-mode-skips-events-below-the-level: a debug event breaking its schema throws at info', () => {
  const captured = captureLines();
  const log = createEventLogger(ordersSpec, { destination: captured.destination, strict: true });
  // cache.miss is a debug event; the logger writes info and above.
  expect(() => log.event('cache.miss', { key: 42 } as never)).toThrow(SchemaViolationError);
  expect(() => log.event('cache.miss', { key: 'k', extra: 1 } as never)).toThrow(/extra: unknown_field/);
  expect(() => log.event('cache.miss', { key: 'k' })).not.toThrow();
  expect(captured.lines).toEqual([]);
});

it('strict-mode-skips-events-below-the-level: without strict, an event below the level costs nothing', () => {
  const captured = captureLines();
  const violations: string[] = [];
  const log = createEventLogger(ordersSpec, {
    destination: captured.destination,
    onViolation: (_event, reason) => violations.push(reason),
  });
  log.event('cache.miss', { key: 42 } as never);
  expect(violations).toEqual([]);
  expect(captured.lines).toEqual([]);
});
