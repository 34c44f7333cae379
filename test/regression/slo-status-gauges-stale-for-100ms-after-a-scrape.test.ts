// Regression (scrape review): the SLO gauges (burn rate, error budget remaining, alert firing) read
// the engine's status through a cache kept 100 ms, meant to share one computation between the
// three families of a scrape. A second scrape (or an OTLP export) within 100 ms of the first got
// the first one's values: errors recorded in between did not show. One status per scrape now,
// read afresh by every scrape. The wall clock is held still here, so "within 100 ms" is certain.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function scrape(of: Telemetry): Promise<string> {
  const server = createServer((request, response) => of.metricsHandler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const budgetLeft = (body: string) =>
  Number(/^plumbline_slo_error_budget_remaining\{slo="avail"\} (\S+)$/m.exec(body)?.[1]);

describe('regression: SLO status gauges stale for 100 ms after a scrape', () => {
  it('shows errors recorded between two scrapes in the same millisecond', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 1) });
    const spec = defineTelemetry({
      service: { name: 'shop', version: '1.0.0' },
      events: {},
      counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
      slos: {
        avail: {
          description: 'Requests succeed',
          objective: 99,
          sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
        },
      },
    });
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination, registerGlobal: false });
    const requests = telemetry.metrics.counter('shop.requests');
    requests.add(1000, { outcome: 'ok' });
    const before = budgetLeft(await scrape(telemetry));
    expect(before).toBe(1);

    requests.add(5, { outcome: 'error' });
    const after = budgetLeft(await scrape(telemetry));
    expect(after).toBeLessThan(before);
    expect(after).toBeCloseTo(telemetry.slo.status()[0]!.errorBudgetRemaining, 12);
  });
});
