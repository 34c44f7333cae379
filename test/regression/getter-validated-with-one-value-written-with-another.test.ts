// Regression (log review): a call that did not take the compiled serializer's path (a class
// instance, a Date in an object field, a security event, any bad input) had its fields read
// again by each step: Ajv validated one read, the string caps another, pino wrote a third and
// OTel Logs got a fourth. A getter whose answer changes (a live model object, a counter) was
// validated as `status: 200` and written as `"status":"two hundred"`, with no schema_violations
// and no count: a line its own line schema refuses. The slow path now reads each field once
// and validates, caps, writes and exports that one reading.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { specLineSchemas } from '../../src/logs/field-schema.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {
    'order.placed': {
      level: 'info',
      fields: { order_id: { type: 'string' }, status: { type: 'integer' } },
    },
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' }, status: { type: 'integer' } },
    },
  },
});

const schemas = specLineSchemas(spec);
const ajv = new Ajv2020({ allErrors: true, strict: false });

/** A `status` getter answering 200 and "two hundred" in turn; `reads` counts its calls. */
function changingStatus(into: object): { fields: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  Object.defineProperty(into, 'status', {
    enumerable: true,
    get: () => (reads++ % 2 === 0 ? 200 : 'two hundred'),
  });
  return { fields: into as Record<string, unknown>, reads: () => reads };
}

it.each([
  [
    'a class instance (not a plain object)',
    'order.placed',
    () => new (class Order {})(),
    { order_id: 'o-1' },
  ],
  ['a security event', 'auth.failed', () => ({}), { source: '10.0.0.1', outcome: 'denied' }],
] as const)(
  '%s: the line written is the line validated, and OTel Logs gets the same',
  async (_, event, make, rest) => {
    const captured = captureLines();
    const security = captureLines();
    const records: Record<string, unknown>[] = [];
    const violations: string[] = [];
    const log = createEventLogger(spec, {
      destination: captured.destination,
      securityDestination: security.destination,
      onViolation: (_event, reason) => violations.push(reason),
      bridge: { emit: (_event, _level, attributes) => records.push({ ...attributes }) },
    });
    const { fields, reads } = changingStatus(Object.assign(make(), rest));
    log.event(event, fields as never);
    await log.close();
    const [line] = event === 'order.placed' ? captured.lines : security.lines;
    // Valid against its line schema: written as validated, or marked and counted.
    const validate = ajv.compile(schemas[event]!);
    expect(validate(line), JSON.stringify(line)).toBe(true);
    expect(line!.status).toBe(200);
    expect(violations).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]!.status).toBe(200);
    expect(reads()).toBe(1);
  },
);
