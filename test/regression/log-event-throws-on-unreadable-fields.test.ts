// Regression: outside strict mode, log.event threw into the app when its fields could not be
// read: a getter that throws, a Proxy whose ownKeys throws, a revoked Proxy, or a third argument
// that is not a Context ("context.getValue is not a function"); 8 of 61 hostile calls threw in a
// hostile-input trial, though the docs say bad input never throws. Now the event is written
// without its fields, marked and counted as `unreadable`, and strict mode still throws. Real
// parts: the event logger over a captured destination.
import { expect, it } from 'vitest';
import { createEventLogger } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const unreadable: [string, unknown, unknown][] = [
  [
    'a throwing getter',
    {
      get order_id(): string {
        throw new Error('x');
      },
      amount: 1,
    },
    undefined,
  ],
  [
    'a Proxy whose ownKeys throws',
    new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('x');
        },
      },
    ),
    undefined,
  ],
  ['a revoked Proxy', revoked(), undefined],
  ['a context that is not one', { order_id: 'o-1', amount: 1, items: 2 }, 42],
];

it('log-event-throws-on-unreadable-fields: written without its fields, counted, never thrown', () => {
  const captured = captureLines();
  const counted: string[] = [];
  const log = createEventLogger(ordersSpec, {
    destination: captured.destination,
    onViolation: (event, reason) => counted.push(`${event}:${reason}`),
  });
  for (const [what, fields, context] of unreadable)
    expect(() => log.event('order.placed', fields as never, context as never), what).not.toThrow();
  expect(counted).toEqual(unreadable.map(() => 'order.placed:unreadable'));
  expect(captured.lines).toHaveLength(unreadable.length);
  for (const line of captured.lines) {
    expect(line.event).toBe('order.placed');
    expect(line.schema_violations).toEqual([{ reason: 'unreadable' }]);
    expect(line).not.toHaveProperty('order_id');
  }
});

it('log-event-throws-on-unreadable-fields: strict mode still throws', () => {
  const log = createEventLogger(ordersSpec, { destination: captureLines().destination, strict: true });
  expect(() => log.event('order.placed', unreadable[0]![1] as never)).toThrow('x');
});
