// `plumbline slo evaluate` against a real Prometheus scraping counters this test controls.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { SloStatus } from '../../src/slo/engine.js';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';
import { peerBinary } from '../support/peers.js';

const PROMETHEUS = peerBinary('prometheus');

describe('plumbline slo evaluate --prometheus', () => {
  let dir: string;
  let server: Server;
  let prometheus: RunningProcess;
  let prometheusUrl: string;
  let scrapes = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plumbline-evaluate-'));
    // Each scrape adds 1000 requests: 3% of them errors (30x a 0.1% budget: pages), and 0.5%
    // of the durations over 250 ms (0.5x a 1% budget: quiet).
    server = createServer((_request, response) => {
      scrapes++;
      const n = scrapes * 1000;
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end(
        [
          '# TYPE http_server_requests_total counter',
          `http_server_requests_total{outcome="ok"} ${n * 0.97}`,
          `http_server_requests_total{outcome="error"} ${n * 0.03}`,
          '# TYPE http_server_duration_seconds histogram',
          `http_server_duration_seconds_bucket{le="0.25"} ${n * 0.995}`,
          `http_server_duration_seconds_bucket{le="+Inf"} ${n}`,
          `http_server_duration_seconds_sum ${n * 0.1}`,
          `http_server_duration_seconds_count ${n}`,
          '',
        ].join('\n'),
      );
    });
    const targetPort = await freePort();
    await new Promise<void>((resolve) => server.listen(targetPort, '127.0.0.1', resolve));
    const port = await freePort();
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: checkout\n    static_configs:\n      - targets: ['127.0.0.1:${targetPort}']\n`,
    );
    prometheus = startProcess(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    prometheusUrl = `http://127.0.0.1:${port}`;
    await waitFor(`Prometheus to hold 3 scrapes (${prometheus.output().slice(-500)})`, async () => {
      const response = await fetch(
        `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(http_server_requests_total{outcome="ok"}[5m])')}`,
      );
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? 0) >= 3 ? true : undefined;
    });
    await writeFile(join(dir, 'spec.json'), JSON.stringify(checkoutSpec));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('reports burn rates, budget and the page that would fire, and exits non-zero', async () => {
    let out = '';
    const code = await main(
      ['slo', 'evaluate', '--prometheus', prometheusUrl, '--spec', join(dir, 'spec.json'), '--json'],
      {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
      },
    );
    expect(code, out).toBe(3);
    const statuses = JSON.parse(out) as SloStatus[];
    const availability = statuses.find((s) => s.slo === 'checkout-availability')!;
    const latency = statuses.find((s) => s.slo === 'checkout-latency')!;
    expect(availability.windows.find((w) => w.window === '5m')!.burnRate).toBeCloseTo(30, 0);
    expect(availability.sli).toBeCloseTo(0.97, 3);
    expect(availability.tiers.filter((t) => t.firing).map((t) => t.tier)).toEqual([
      'page-fast',
      'page-slow',
      'ticket-fast',
      'ticket-slow',
    ]);
    expect(availability.errorBudgetRemaining).toBeLessThan(0);
    expect(availability.timeToExhaustionMs).toBe(0);
    expect(latency.windows.find((w) => w.window === '1h')!.burnRate).toBeCloseTo(0.5, 1);
    expect(latency.tiers.some((t) => t.firing)).toBe(false);
    expect(latency.errorBudgetRemaining).toBeCloseTo(0.5, 1);
    expect(latency.timeToExhaustionMs! / 86_400_000).toBeCloseTo(30, 0);
  });

  it('prints a table for people', async () => {
    let out = '';
    await main(['slo', 'evaluate', '--prometheus', prometheusUrl, '--spec', join(dir, 'spec.json')], {
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
    });
    expect(out).toContain('checkout-availability  objective 99.9% over 30d');
    expect(out).toMatch(/alerts {5}page-fast \(page\), page-slow \(page\)/);
    expect(out).toMatch(/checkout-latency[\s\S]*alerts {5}none/);
  });
});
