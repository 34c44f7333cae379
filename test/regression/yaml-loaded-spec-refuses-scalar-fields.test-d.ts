// Regression (bundled-service trial): with a spec typed only as TelemetrySpec, as loadSpecFile
// answers for a YAML file, `log.event('order.placed', { order_id: 'o-1', amount: 2 })` failed to
// compile: "Type 'number' is not assignable to type 'Error | Readonly<Record<string, unknown>>'"
// for every scalar field, because a field's value type did not distribute over the union of field
// types, so the documented path (loadSpecFile, then createTelemetry) needed casts.
import { describe, expectTypeOf, it } from 'vitest';
import { createEventLogger, type EventFields, type EventSpec, type TelemetrySpec } from '../../src/index.js';

declare const loaded: TelemetrySpec;
const log = createEventLogger(loaded, { destination: { write: () => undefined } });

describe('yaml-loaded spec refuses scalar fields', () => {
  it('takes any field type a spec can declare', () => {
    log.event('order.placed', { order_id: 'o-1', amount: 2, paid: true, tags: ['a'], context: { retry: 1 } });
    log.event('order.failed', { cause: new Error('x') });
    type Value = EventFields<EventSpec>[string];
    expectTypeOf<string>().toMatchTypeOf<Value>();
    expectTypeOf<number>().toMatchTypeOf<Value>();
    expectTypeOf<boolean>().toMatchTypeOf<Value>();
    expectTypeOf<readonly string[]>().toMatchTypeOf<Value>();
    // Still not anything at all.
    // @ts-expect-error a symbol is no field type's value
    log.event('order.placed', { order_id: Symbol('x') });
  });
});
