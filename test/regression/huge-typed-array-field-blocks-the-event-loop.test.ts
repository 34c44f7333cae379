// Regression: one log.event with a 1e6-entry Uint8Array in an object field held the event loop
// for 614 ms before the field was left out as too_long: its JSON (about 10 MB) was written twice,
// by the compiled line and again by the cap check (a hostile-input trial). A list or typed array
// surely over the cap is now left out without being written. Real parts: the event logger over
// a captured destination; the bound is asserted as work not done (JSON.stringify never handed
// the field), not as time.
import { afterEach, expect, it, vi } from 'vitest';
import { createEventLogger } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

afterEach(() => vi.restoreAllMocks());

it('huge-typed-array-field-blocks-the-event-loop: left out as too_long without writing its JSON', () => {
  const captured = captureLines();
  const log = createEventLogger(ordersSpec, { destination: captured.destination });
  const huge = new Uint8Array(1_000_000);
  const many = Array.from({ length: 100_000 }, () => 'x');
  const stringify = vi.spyOn(JSON, 'stringify');
  log.event('order.placed', { order_id: 'o-1', amount: 1, items: 1, context: huge as never });
  log.event('order.placed', { order_id: 'o-2', amount: 1, items: 1, tags: many });
  const handed = stringify.mock.calls.filter(([value]) => value === huge || value === many);
  expect(handed).toHaveLength(0);
  expect(captured.lines.map((line) => line.schema_violations)).toEqual([
    [{ field: 'context', reason: 'too_long' }],
    [{ field: 'tags', reason: 'too_long' }],
  ]);
  expect(captured.lines[0]).not.toHaveProperty('context');
});
