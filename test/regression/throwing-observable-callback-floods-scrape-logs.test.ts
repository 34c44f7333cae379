// Regression (diag floods): an app's observable gauge whose callback throws (a queue store it
// reads is down) fails at every /metrics scrape, and the scrape reader wrote each failure as
// diag.warn(message, error): the Error inspected over 11 lines with its stack, per failing
// callback per scrape (3 scrapes: 33 lines), and the failure was counted nowhere. Now each kind
// of failure is said in one line (message, no stack), the first at once and then at most once a
// minute with how many more, and every failure is counted in
// plumbline_meter_callback_errors_total{reason}. Real parts: createTelemetry's /metrics behind
// node:http on 127.0.0.1, scraped three times; the diag logger writes what OTel's console logger
// would (util.format of its arguments).
import { format } from 'node:util';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  diag.disable();
});

/** What OTel's DiagConsoleLogger would print, one entry per call. */
function captureDiag(): string[] {
  const calls: string[] = [];
  const write = (message: string, ...args: unknown[]) => calls.push(format(message, ...args));
  diag.setLogger({ error: write, warn: write, info: write, debug: write, verbose: write }, DiagLogLevel.WARN);
  return calls;
}

it('throwing-observable-callback-floods-scrape-logs: one line, each failure counted', async () => {
  const calls = captureDiag();
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    registerGlobal: false,
  });
  cleanups.push(() => telemetry.shutdown());
  telemetry.meter.createObservableGauge('app.queue.depth').addCallback(() => {
    throw new Error('queue store unreachable');
  });
  telemetry.meter.createObservableGauge('app.workers').addCallback((result) => result.observe(4));
  const port = await serveOnFreePort(
    (request, response) => telemetry.metricsHandler(request, response),
    cleanups,
  );

  const bodies: string[] = [];
  for (let scrape = 0; scrape < 3; scrape++) {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    bodies.push(await response.text());
  }
  // The gauge that works is served at every scrape.
  for (const body of bodies) expect(body).toMatch(/^app_workers 4$/m);

  const about = calls.filter((call) => call.includes('meter-provider instrument'));
  const lines = about.flatMap((call) => call.split('\n'));
  // Before: 3 calls, 33 lines (11 per scrape, the stack included).
  expect(lines, about.join('\n---\n')).toEqual([
    'plumbline: /metrics could not read a meter-provider instrument (its callback failed): queue store unreachable',
  ]);

  // Counted: at 0 from the first scrape, then one per failed callback per scrape. Before: absent.
  expect(bodies[0]).toMatch(/^plumbline_meter_callback_errors_total\{reason="error"\} 0$/m);
  expect(bodies[0]).toMatch(/^plumbline_meter_callback_errors_total\{reason="timeout"\} 0$/m);
  const now = telemetry.metrics.serialize().body;
  expect(now).toMatch(/^plumbline_meter_callback_errors_total\{reason="error"\} 3$/m);
  expect(now).toMatch(/^plumbline_meter_callback_errors_total\{reason="timeout"\} 0$/m);
});
