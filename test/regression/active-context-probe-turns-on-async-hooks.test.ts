// Regression: plumbline's read of the active context (event lines' trace fields, exemplars)
// checked that the API routed to the registered context manager with a probe through
// `context.with`. On Node 20 and 22 the first `context.with` of a process runs
// AsyncLocalStorage.run, which turns on async hooks for every promise and socket from then on:
// the blueprint's first event line (config.loaded, written with no context) did that, and a CPU
// profile of the blueprint at saturation then showed AsyncLocalStorage's hooks (_propagate,
// promiseInitHook, emitInitNative, ...) at about 13 µs of 560 per request, a cost the service
// avoids by passing contexts explicitly (docs/metrics.md). The check now watches the manager's
// `active` for one call of `context.active()` instead.
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'probe' },
  events: {
    'order.placed': {
      description: 'An order was placed.',
      level: 'info',
      fields: { order_id: { type: 'string' } },
    },
  },
  histograms: {
    'request.duration': {
      description: 'Request latency.',
      unit: 's',
      buckets: { boundaries: [0.1, 1] },
      exemplars: {},
    },
  },
  sampling: { policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 10 }] },
});

/** Whether the manager's AsyncLocalStorage has been run (Node 20 and 22: async hooks are on). */
function hooksOn(manager: AsyncLocalStorageContextManager): boolean {
  const storage = (manager as unknown as { _asyncLocalStorage: { enabled?: unknown } })._asyncLocalStorage;
  expect(typeof storage.enabled).toBe('boolean');
  return storage.enabled === true;
}

let telemetry: Telemetry<typeof spec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  context.disable();
});

describe('regression: the active-context probe turned on async hooks', () => {
  it('writes lines and records exemplars without a context.with of its own', () => {
    context.disable();
    const manager = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(manager)).toBe(true);
    const lines = captureLines();
    telemetry = createTelemetry(spec, { logDestination: lines.destination });

    // No context given: plumbline reads the active one, more than once and from both paths.
    telemetry.log.event('order.placed', { order_id: 'o-1' });
    telemetry.metrics.histogram('request.duration').record(0.2);
    telemetry.log.event('order.placed', { order_id: 'o-2' });
    // A context passed explicitly, as the blueprint does for its requests.
    const span = telemetry.tracer.startSpan('request', {}, ROOT_CONTEXT);
    const requestContext = trace.setSpan(ROOT_CONTEXT, span);
    telemetry.log.event('order.placed', { order_id: 'o-3' }, requestContext);
    telemetry.metrics.histogram('request.duration').record(0.3, {}, requestContext);
    span.end();
    expect(hooksOn(manager)).toBe(false);

    // The active context is still what the API says it is, and the observation is real: the
    // application's own context.with turns the hooks on.
    context.with(requestContext, () => telemetry!.log.event('order.placed', { order_id: 'o-4' }));
    expect(hooksOn(manager)).toBe(true);
    const written = lines.lines;
    expect(written.map((line) => line.order_id)).toEqual(['o-1', 'o-2', 'o-3', 'o-4']);
    expect(written[0]!.trace_id).toBeUndefined();
    expect(written[2]!.trace_id).toBe(span.spanContext().traceId);
    expect(written[3]!.trace_id).toBe(span.spanContext().traceId);
  });
});
