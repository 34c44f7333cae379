// Regression (check live fixes): telemetry.shutdown() shut the OTel log export down alongside
// closing the event log, and closing the event log is what writes the security stream's last
// summaries. They were written to the security log, but their OTel Logs records came after the
// log export had shut down: a flood folded into one summary reached OTLP as its first sighting
// only (2 records of 3). The event log is now closed first. Real parts: createTelemetry exporting
// to an OTLP/HTTP receiver on 127.0.0.1.
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals } from '../support/node-sdk.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' } },
    },
  },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

it('exports the security summaries that closing the event log writes', async () => {
  const bodies: string[] = [];
  const port = await serveOnFreePort((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/logs') bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }, cleanups);
  const security = captureLines();
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    securityLogDestination: security.destination,
    otlpEndpoint: `http://127.0.0.1:${port}`,
    registerGlobal: false,
  });
  // One first sighting, then repeats folded into the window's summary.
  for (let i = 0; i < 5; i++) telemetry.log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied' });
  await telemetry.shutdown();
  expect(security.lines.map((line) => line.summary === true)).toEqual([false, true]);
  const all = bodies.join('\n');
  const records = (all.match(/"eventName":"auth\.failed"/g) ?? []).length;
  expect(records).toBe(2);
  expect(all).toContain('"summary"');
});
