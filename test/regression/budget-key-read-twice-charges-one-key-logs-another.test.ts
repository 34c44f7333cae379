// Regression (log review): an event's rate budget with a `key` read the key field from the
// caller's fields to pick the budget, and the line read it again to write it. A getter whose
// answer changes (a live model object, a Proxy) was charged to one key's budget and written as
// another: tenant "b" got two lines in a second its budget of 1/s allows one, tenant "a" was
// charged for a line that never named it. The fields are now read once for a keyed budget,
// and the line is written from that reading. Real parts: the event logger, its serializer and
// pino's path.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'gateway' },
  events: {
    'request.throttled': {
      level: 'warn',
      budget: { linesPerSecond: 1, key: 'tenant' },
      fields: { tenant: { type: 'string', enum: ['a', 'b'] }, path: { type: 'string' } },
    },
  },
});

/** Fields whose `tenant` answers "a", then "b", then "a"...; `reads` counts the getter's calls. */
function changingTenant(into: object): { fields: object; reads: () => number } {
  let reads = 0;
  Object.defineProperty(into, 'tenant', {
    enumerable: true,
    get: () => (reads++ % 2 === 0 ? 'a' : 'b'),
  });
  return { fields: into, reads: () => reads };
}

it.each([
  ['a plain object (the compiled serializer)', () => ({ path: '/x' })],
  ['a class instance (pino path)', () => Object.assign(new (class Request {})(), { path: '/x' })],
])('%s: the key charged is the key written, read once', (_, make) => {
  const now = 1_700_000_000_000;
  const captured = captureLines();
  const suppressed: string[] = [];
  const records: Record<string, unknown>[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    now: () => now,
    onSuppressed: (event) => suppressed.push(event),
    bridge: { emit: (_event, _level, attributes) => records.push({ ...attributes }) },
  });
  // b's one line of this second.
  log.event('request.throttled', { tenant: 'b', path: '/b' });
  const { fields, reads } = changingTenant(make());
  log.event('request.throttled', fields as never);
  // b's budget is spent: this one is left out, whatever the call before it did.
  log.event('request.throttled', { tenant: 'b', path: '/b2' });
  expect(reads()).toBe(1);
  expect(captured.lines.map((line) => line.tenant)).toEqual(['b', 'a']);
  expect(records.map((record) => record.tenant)).toEqual(['b', 'a']);
  expect(suppressed).toEqual(['request.throttled']);
});
