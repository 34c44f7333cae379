// Regression: `plumbline check live --otlp-listen` exited 1 on a clean app run the documented way
// (docs/nodesdk.md: NodeSDK with auto-instrumentations, whose instrumentation-pino keeps the app's
// own pino loggers sending each line to OTel Logs). The check read every OTLP log record as a
// plumbline event: `undeclared-event (no event name) otlp-logs 166` for the team's pino lines.
// Now a record whose instrumentation scope is not plumbline's event logger's is listed, by scope,
// as not the spec's and fails nothing (its sensitive fields are still checked); a record in
// plumbline's scope with an unknown or missing event name still fails.
// Real parts: createTelemetry behind node:http on 127.0.0.1 exporting OTLP/HTTP logs to the check,
// events through plumbline's event logger, pino's records through a logger of the global Logs API
// named as instrumentation-pino names its own (log-sending-utils.ts: logs.getLogger(PACKAGE_NAME,
// PACKAGE_VERSION)) and shaped as its OTelPinoStream emits them, the CLI's `check live` over HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCheckReport } from '../../src/check/index.js';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { globalLogsApi, type BridgeLogRecord } from '../../src/telemetry/logs-api.js';
import { captureLines } from '../support/capture.js';
import { runCheckLive } from '../support/cli.js';

const PINO_SCOPE = '@opentelemetry/instrumentation-pino';
/** OTel Logs SeverityNumber INFO, as instrumentation-pino maps pino's level 30. */
const SEVERITY_INFO = 9;

const orderPlaced = {
  level: 'info',
  fields: {
    order_id: { type: 'string' },
    card_number: { type: 'string', sensitive: true, required: false },
  },
} as const;

/** The spec checked. */
const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  schemaVersion: '1',
  events: { 'order.placed': orderPlaced },
});
/** The spec a drifted build of the shop was made from: one event more. */
const driftedSpec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  schemaVersion: '1',
  events: { 'order.placed': orderPlaced, 'order.refunded': { level: 'info', fields: {} } },
});

let dir: string;
let specPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'check-live-pino-'));
  specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The shop: each order is one plumbline event and the app's own pino lines around it. `drifted`
 * makes it the drifted build: an event the checked spec lacks, a record in plumbline's scope with
 * no event name, and a pino line with the spec's sensitive field in clear.
 */
async function startShop(otlpEndpoint: string, drifted: boolean) {
  const options = { otlpEndpoint, tailSampling: false, logDestination: captureLines().destination };
  // Typed as the drifted build, which writes one event more; the clean one is built from the spec.
  const telemetry: Telemetry<typeof driftedSpec> = drifted
    ? createTelemetry(driftedSpec, options)
    : (createTelemetry(spec, options) as unknown as Telemetry<typeof driftedSpec>);
  // createTelemetry registers its logger provider with the global Logs API; instrumentation-pino
  // takes its logger from there.
  const logsApi = (await globalLogsApi())!;
  const pino = logsApi.getLogger(PINO_SCOPE, '0.67.0');
  const pinoLine = (body: string, attributes: Record<string, unknown>) =>
    // plumbline's bridge type leaves out `body`, which plumbline does not write and pino's stream does.
    pino.emit({ severityNumber: SEVERITY_INFO, severityText: 'info', body, attributes } as BridgeLogRecord);

  const server = createServer((req, res) => {
    if (req.url === '/metrics') return telemetry.metricsHandler(req, res);
    pinoLine('request received', { reqId: 'r-1', req: { method: 'POST', url: '/orders' } });
    telemetry.log.event('order.placed', { order_id: 'o-1', card_number: '4111111111111111' });
    // A team's pino line with an `event` key of its own: a log line, not a plumbline event.
    pinoLine('checkout done', { event: 'checkout', reqId: 'r-1' });
    if (drifted) {
      telemetry.log.event('order.refunded', {});
      logsApi.getLogger('plumbline', '0.1.0').emit({ severityNumber: SEVERITY_INFO, attributes: {} });
      pinoLine('card', { card_number: '4111111111111111' });
    }
    res.writeHead(201).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async placeOrders(count: number) {
      for (let i = 0; i < count; i++)
        expect((await fetch(`${url}/orders`, { method: 'POST' })).status).toBe(201);
      // Every record reaches the check now, within its watch.
      await telemetry.forceFlush();
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await telemetry.shutdown();
    },
  };
}

/** `plumbline check live --json` against the shop's /metrics and OTLP, under a little load. */
function checkShop(drifted: boolean): Promise<{ code: number; report: LiveCheckReport }> {
  return runCheckLive(specPath, '3s', async (otlpEndpoint) => {
    const shop = await startShop(otlpEndpoint, drifted);
    return { url: shop.url, drive: () => shop.placeOrders(5), stop: () => shop.stop() };
  });
}

const rows = (report: LiveCheckReport) =>
  report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail}`);

describe('check live on an app whose own pino lines instrumentation-pino sends to OTel Logs', () => {
  it("passes a clean app: pino's records are listed by scope, not checked as events", async () => {
    const { code, report } = await checkShop(false);
    expect(rows(report)).toEqual([]);
    expect(code).toBe(0);
    // 5 events and 10 pino lines arrived; the events were checked, the pino lines listed.
    expect(report.observed.logRecords).toBe(15);
    expect(report.notSpecLogRecords).toEqual([{ scope: PINO_SCOPE, count: 10 }]);
    expect(report.droppedNotSpecLogRecords).toBe(0);
  }, 30_000);

  it("still fails on plumbline's records the spec does not name, and on a pino line leaking a sensitive field", async () => {
    const { code, report } = await checkShop(true);
    expect(code).toBe(1);
    expect(rows(report)).toEqual([
      'undeclared-event (no event name) (otlp-logs): event not in the spec (scope plumbline)',
      'undeclared-event order.refunded (otlp-logs): event not in the spec (scope plumbline)',
      `sensitive-unredacted ${PINO_SCOPE} card_number (otlp-logs): sensitive field card_number in clear, in a log record that is not an event`,
    ]);
    expect(report.deviations.map((d) => d.count)).toEqual([5, 5, 5]);
    expect(report.notSpecLogRecords).toEqual([{ scope: PINO_SCOPE, count: 15 }]);
  }, 30_000);
});
