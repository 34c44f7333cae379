import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { describe, expectTypeOf, it } from 'vitest';
import { createEventLogger, type EventFields } from '../../src/index.js';
import { ordersSpec, type OrdersSpec } from '../fixtures/orders-spec.js';

const log = createEventLogger(ordersSpec, { destination: { write: () => undefined } });

describe('log.event types come from the spec', () => {
  it('derives required, optional, enum and array fields', () => {
    type Placed = EventFields<OrdersSpec['events']['order.placed']>;
    expectTypeOf<Placed['order_id']>().toEqualTypeOf<string>();
    expectTypeOf<Placed['amount']>().toEqualTypeOf<number>();
    expectTypeOf<Placed['channel']>().toEqualTypeOf<'web' | 'app' | undefined>();
    expectTypeOf<Placed['tags']>().toEqualTypeOf<readonly string[] | undefined>();
    expectTypeOf<Placed>().toHaveProperty('express');
  });

  it('accepts a correct call, with or without an OTel context', () => {
    log.event('order.placed', { order_id: 'a', amount: 1, items: 2, channel: 'web' });
    log.event('order.failed', { order_id: 'a', reason: 'x' });
    log.event('order.failed', { order_id: 'a', reason: 'x' }, ROOT_CONTEXT);
    expectTypeOf(log.event).parameter(2).toEqualTypeOf<Context | undefined>();
    // @ts-expect-error the context is an OTel Context, not a span
    log.event('order.failed', { order_id: 'a', reason: 'x' }, 'span');
  });

  it('rejects wrong names, wrong types, missing and unknown fields', () => {
    // @ts-expect-error unknown event name
    log.event('order.refunded', { order_id: 'a' });
    // @ts-expect-error amount must be a number
    log.event('order.placed', { order_id: 'a', amount: '1', items: 2 });
    // @ts-expect-error items is required
    log.event('order.placed', { order_id: 'a', amount: 1 });
    // @ts-expect-error colour is not a field of order.placed
    log.event('order.placed', { order_id: 'a', amount: 1, items: 2, colour: 'red' });
    // @ts-expect-error channel must be one of its enum values
    log.event('order.placed', { order_id: 'a', amount: 1, items: 2, channel: 'fax' });
  });
});
