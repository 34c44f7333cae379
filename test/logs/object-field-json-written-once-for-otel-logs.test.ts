// OTel Logs on pino's path (a call that is repaired, a security event, a Date inside) takes each
// object field's JSON from the caps, which wrote it for the line already: turning the bridge on
// writes no field again. Seen from the caller: a getter nested in the field is read as often with
// the bridge as without it, and the record still gets a field holding a `constructor` key as text.
// The bridge here keeps the attributes as handed over: sdk-logs reads a map it is given again.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import type { LogBridge } from '../../src/logs/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'job.done': { level: 'info', fields: { id: { type: 'string' }, ctx: { type: 'object' } } },
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' }, ctx: { type: 'object' } },
    },
  },
});

/** An object field whose nested getter counts its reads. */
function counted(extra: Record<string, unknown> = {}): { ctx: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const inner = {
    get attempt() {
      reads++;
      return 2;
    },
  };
  return { ctx: { inner, ...extra }, reads: () => reads };
}

type Call = (log: { event(name: string, fields: unknown): void }, ctx: Record<string, unknown>) => void;

const calls: [string, Call, Record<string, unknown>][] = [
  ['an unknown field (repaired)', (log, ctx) => log.event('job.done', { id: 'a', ctx, extra: 1 }), {}],
  ['a Date inside', (log, ctx) => log.event('job.done', { id: 'a', ctx }), { at: new Date(0) }],
  [
    'a constructor key',
    (log, ctx) => log.event('job.done', { id: 'a', ctx, extra: 1 }),
    { constructor: 'Foo' },
  ],
  [
    'a security event',
    (log, ctx) => log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied', ctx }),
    { constructor: 'Foo' },
  ],
];

it.each(calls)('reads an object field as often with OTel Logs on as off: %s', (_name, call, extra) => {
  const off = counted(extra);
  const quiet = createEventLogger(spec, {
    destination: captureLines().destination,
    securityDestination: captureLines().destination,
  });
  call(quiet as never, off.ctx);

  const records: Record<string, unknown>[] = [];
  const bridge: LogBridge = { emit: (_event, _level, attributes) => void records.push(attributes) };
  const captured = captureLines();
  const security = captureLines();
  const on = counted(extra);
  const bridged = createEventLogger(spec, {
    destination: captured.destination,
    securityDestination: security.destination,
    bridge,
  });
  call(bridged as never, on.ctx);

  expect(off.reads()).toBeGreaterThan(0);
  expect(on.reads()).toBe(off.reads());
  const [line] = [...captured.lines, ...security.lines];
  // OTel Logs gets what the line writes: a map, or its JSON text where sdk-logs refuses the map.
  expect(records.map((record) => record.ctx)).toEqual([
    Object.hasOwn(extra, 'constructor') ? JSON.stringify(line!.ctx) : line!.ctx,
  ]);
});
