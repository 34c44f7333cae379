// The telemetry-export SLO on real data: the blueprint under load with its OTLP endpoint down
// (nothing listens), a real Prometheus scraping its /metrics with the committed
// alerts/blueprint-slo.rules.yaml. The recorded error ratio reads every export as failed, the
// burn-rate tiers Prometheus fires are the ones the in-process calculator fires (and /healthz
// reports), and the SLO dashboard's panel shows the drops by reason. Then the collector comes
// back (a receiver answering 200 on the same port): exports succeed and the ratio falls below 1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../examples/blueprint/config.js';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';
import { startBlueprint, type BlueprintService } from '../../examples/blueprint/service.js';
import { openTelemetry, type TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { checkoutBlueprintToml, startDependencies } from '../support/blueprint.js';
import { freePort, waitFor } from '../support/process.js';
import { sampleValues, startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const SLO = 'telemetry-export';
const RULES = resolve('alerts/blueprint-slo.rules.yaml');
const DASHBOARD = resolve('dashboards/blueprint-slos.json');
const TOKEN = 'checkout-token-0123456789';
const RATE = 60;

const dir = mkdtempSync(join(tmpdir(), 'blueprint-pipeline-slo-'));
let deps: DependencyServer[] = [];
let prometheus: PrometheusServer | undefined;
let service: BlueprintService | undefined;
let telemetry: TelemetryPort | undefined;
let receiver: Server | undefined;

afterAll(async () => {
  await service?.drain();
  await telemetry?.shutdown();
  await prometheus?.stop();
  await new Promise((done) => (receiver === undefined ? done(undefined) : receiver.close(done)));
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function under(load: LoadGenerator, ms: number): Promise<void> {
  load.start();
  await new Promise((r) => setTimeout(r, ms));
  await load.stop();
}

describe('the telemetry-export SLO with the collector down, on a real Prometheus', () => {
  it('burns in Prometheus and in process alike, shows on /healthz and the SLO dashboard, and recovers', async () => {
    deps = await startDependencies({ latencyMs: 2, jitterMs: 2 });
    const otlpPort = await freePort();
    telemetry = await openTelemetry({
      logDestination: join(dir, 'events.ndjson'),
      otlpEndpoint: `http://127.0.0.1:${otlpPort}`,
      exportTimeoutMs: 500,
      metricExportIntervalMs: 500,
    });
    service = await startBlueprint(
      parseConfig(checkoutBlueprintToml(join(dir, 'events.db'), deps)),
      telemetry,
      { env: { CHECKOUT_TOKEN: TOKEN } },
    );
    prometheus = await startPrometheus({
      jobs: [{ job: 'blueprint', targets: [`127.0.0.1:${service.adminPort}`] }],
      ruleFiles: [RULES],
      exemplars: false,
    });
    const prom = prometheus;
    const value = async (expr: string): Promise<number | undefined> => {
      const [first] = sampleValues(await prom.query(expr));
      return first;
    };
    const ratio5m = `plumbline_slo:error_ratio:rate5m{service="blueprint",slo="${SLO}"}`;
    const promFiring = async (): Promise<string[]> => {
      const result = await prom.query(`ALERTS{alertstate="firing",slo="${SLO}"}`);
      return result.resultType === 'vector' ? result.result.map((s) => s.metric['tier']!).sort() : [];
    };
    const engine = () => telemetry!.slo.status().find((s) => s.slo === SLO)!;
    // The port's status view carries burn rates: the error ratio is burn rate x budget.
    const engineRatio5m = () => {
      const status = engine();
      return status.windows.find((w) => w.window === '5m')!.burnRate * (1 - status.objective / 100);
    };
    const engineFiring = () =>
      engine()
        .tiers.filter((t) => t.firing)
        .map((t) => t.tier)
        .sort();
    const load = () =>
      new LoadGenerator({
        url: service!.url,
        tenants: [{ name: 'checkout', weight: 1, token: TOKEN }],
        ratePerSecond: RATE,
        eventsPerRequest: [1, 3],
      });

    // ---- collector down: every span, log record and metric batch fails ----
    await under(load(), 5_000);
    await waitFor(
      `Prometheus to record the ${SLO} ratio at 1 and fire its tiers`,
      async () => ((await value(ratio5m)) === 1 && (await promFiring()).length === 4 ? true : undefined),
      30_000,
      500,
    );
    const down = await prom.query(
      `sum by (signal, reason) (plumbline_telemetry_dropped_total{job="blueprint"})`,
    );
    const dropped = down.resultType === 'vector' ? down.result.map((s) => s.metric) : [];
    // Spans, log records and metric batches all failed on /metrics, as the rule reads them.
    expect(dropped.map((m) => m['signal']).sort()).toEqual(
      expect.arrayContaining(['log_record', 'metric_batch', 'span']),
    );
    // Nothing exported: the exported series stand at the 0 they were written with at startup.
    expect(await value(`sum(plumbline_telemetry_exported_total{job="blueprint"})`)).toBe(0);
    // Every window is all bad in both: every tier fires, in Prometheus and in process.
    expect(engineRatio5m()).toBeCloseTo(1, 9);
    expect(await promFiring()).toEqual(['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow']);
    expect(engineFiring()).toEqual(await promFiring());
    // /healthz lists the burning SLO (a page turns the status to degraded, still in rotation).
    const health = (await (await fetch(`${service.adminUrl}/healthz`)).json()) as {
      status: string;
      slos: { name: string; firing: string[] }[];
    };
    expect(health.slos.find((s) => s.name === SLO)!.firing).toContain('page-fast (page)');
    expect(health.status).toBe('degraded');

    // ---- the collector is back: a receiver answering 200 on the same port ----
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((done) => receiver!.listen(otlpPort, '127.0.0.1', done));
    await under(load(), 5_000);
    const recovered = await waitFor(
      `Prometheus to see exports succeed and the ${SLO} ratio fall below 1`,
      async () => {
        const ratio = await value(ratio5m);
        return ratio !== undefined && ratio < 1 && ratio > 0 ? ratio : undefined;
      },
      30_000,
      500,
    );
    const inProcess = engineRatio5m();
    expect(inProcess).toBeGreaterThan(0);
    expect(inProcess).toBeLessThan(1);
    expect(recovered).toBeGreaterThan(0);

    // The SLO dashboard's panel for this SLI: exported and dropped, both with data now.
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title?: string; targets?: { expr: string }[] }[];
    };
    const panel = dashboard.panels.find(
      (p) => p.title === `${SLO}: exported and dropped by signal and reason`,
    )!;
    expect(panel.targets).toHaveLength(2);
    for (const target of panel.targets!) {
      const expr = target.expr
        .replaceAll('$job', 'blueprint')
        .replaceAll('$instance', '.*')
        .replaceAll('$__rate_interval', '1m');
      const values = sampleValues(await prom.query(expr));
      expect(
        values.some((v) => v > 0),
        expr,
      ).toBe(true);
    }
  }, 90_000);
});
