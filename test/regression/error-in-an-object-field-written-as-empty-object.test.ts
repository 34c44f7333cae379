// Regression: an Error passed as an `object` field was written as `{}` (JSON keeps none of an
// Error's own fields), so `log.event('order.failed', { order_id, context: err })` lost the error's
// message and stack without a word (a hostile-input trial). It is now written as pino writes
// `err`: type, message and stack. Real parts: the event logger over a captured destination.
import { expect, it } from 'vitest';
import { createEventLogger } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

it('error-in-an-object-field-written-as-empty-object: type, message and stack are kept', () => {
  const captured = captureLines();
  const log = createEventLogger(ordersSpec, { destination: captured.destination });
  const failure = new TypeError('card declined');
  log.event('order.placed', { order_id: 'o-1', amount: 1, items: 1, context: failure });
  const context = captured.lines[0]!.context as Record<string, unknown>;
  expect(context.type).toBe('TypeError');
  expect(context.message).toBe('card declined');
  expect(String(context.stack)).toContain('card declined');
  // A plain object still goes as it is.
  log.event('order.placed', { order_id: 'o-2', amount: 1, items: 1, context: { retry: 2 } });
  expect(captured.lines[1]!.context).toEqual({ retry: 2 });
});
