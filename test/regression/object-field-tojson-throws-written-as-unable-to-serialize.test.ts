// Regression (hostile-input trial): an `object` field whose JSON could not be written (a toJSON
// or getter that throws) went on the line as pino's "[unable to serialize, circular reference is
// too complex to analyze]", a string in an object field, misleading and not counted as a
// violation. And a value JSON.stringify refuses (a cycle) skipped the field's cap: pino's fallback
// wrote it however long. The field is now left out as `unreadable`, named and counted, and a
// cyclic value is measured as pino's fallback writes it, so its cap holds.
import { expect, it } from 'vitest';
import { createEventLogger } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

function setup() {
  const captured = captureLines();
  const violations: Array<[string, string]> = [];
  const log = createEventLogger(ordersSpec, {
    destination: captured.destination,
    onViolation: (event, reason) => violations.push([event, reason]),
  });
  return { log, lines: captured.lines, violations };
}

it('object-field-tojson-throws-written-as-unable-to-serialize: left out as unreadable, named and counted', () => {
  const { log, lines, violations } = setup();
  const hostile = {
    toJSON() {
      throw new Error('boom');
    },
  };
  expect(() =>
    log.event('order.placed', { order_id: 'o-1', amount: 1, items: 1, context: hostile }),
  ).not.toThrow();
  expect(lines[0]!.order_id).toBe('o-1');
  expect(lines[0]).not.toHaveProperty('context');
  expect(lines[0]!.schema_violations).toEqual([{ field: 'context', reason: 'unreadable' }]);
  expect(violations).toEqual([['order.placed', 'unreadable']]);
});

it('a cyclic object field is written as pino writes it, within its cap', () => {
  const { log, lines, violations } = setup();
  const small: Record<string, unknown> = { retry: 2 };
  small.self = small;
  log.event('order.placed', { order_id: 'o-2', amount: 1, items: 1, context: small });
  expect(lines[0]!.context).toEqual({ retry: 2, self: '[Circular]' });
  expect(violations).toEqual([]);

  // Over the default 16 KiB cap once written: left out as too_long, like an acyclic one.
  const big: Record<string, unknown> = { blob: 'x'.repeat(20_000) };
  big.self = big;
  log.event('order.placed', { order_id: 'o-3', amount: 1, items: 1, context: big });
  expect(lines[1]).not.toHaveProperty('context');
  expect(lines[1]!.schema_violations).toEqual([{ field: 'context', reason: 'too_long' }]);
  expect(violations).toEqual([['order.placed', 'too_long']]);
});
