// Latency chaos against the latency SLO, checked two ways: 10% of storage flushes 400 ms slower
// (plus 5% of tasks killed) over 8 s at 150 req/s (about 1,200 requests) burns the 99%-in-250ms
// budget at about 10x. A real Prometheus scrapes the service with the generated
// alerts/blueprint-slo.rules.yaml loaded, and its firing tiers must equal the in-process
// calculator's. The tail sampler must keep every trace an injected fault made slow or failed,
// and the exemplars of the slow buckets must point to kept traces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { CHAOS_ATTRIBUTE } from '../../examples/blueprint/chaos.js';
import { parseConfig } from '../../examples/blueprint/config.js';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';
import { startBlueprint, type BlueprintService } from '../../examples/blueprint/service.js';
import { openTelemetry, type TelemetryPort } from '../../examples/blueprint/telemetry-port.js';
import { blueprintToml, startDependencies } from '../support/blueprint.js';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';
import { peerBinary } from '../support/peers.js';

const PROMETHEUS = peerBinary('prometheus');
const RULES = resolve('alerts/blueprint-slo.rules.yaml');
const RATE = 150;
const TOKEN = 'checkout-token-0123456789';
const LOAD_MS = 8_000;

const dir = mkdtempSync(join(tmpdir(), 'blueprint-chaos-slo-'));
let deps: DependencyServer[] = [];
let prometheus: RunningProcess | undefined;
let service: BlueprintService | undefined;
let telemetry: TelemetryPort | undefined;

afterAll(async () => {
  await service?.drain();
  await telemetry?.shutdown();
  await prometheus?.stop();
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Keeps every exported span, also after shutdown (InMemorySpanExporter forgets them then). */
function collectingExporter(spans: ReadableSpan[]): SpanExporter {
  return {
    export: (batch, done) => {
      spans.push(...batch);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
}

async function promQuery(
  base: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${query}`);
  return body.data.result;
}

describe('latency chaos vs the latency SLO and the tail sampler', () => {
  it('burns the budget, Prometheus rules and the in-process calculator fire the same tiers, injected faults are kept', async () => {
    deps = await startDependencies({ latencyMs: 2, jitterMs: 2 });
    const spans: ReadableSpan[] = [];
    telemetry = await openTelemetry({
      logDestination: join(dir, 'events.ndjson'),
      spanProcessors: [new SimpleSpanProcessor(collectingExporter(spans))],
    });
    const config = parseConfig(
      blueprintToml({
        dbPath: join(dir, 'events.db'),
        deps,
        storage: { min_batch: 1 },
        tables: {
          chaos: {
            kill_task_ratio: 0.05,
            seed: 1234,
            tail_latency: { ratio: 0.1, ms: 400, jitter_ms: 0, targets: ['storage'] },
          },
        },
      }),
    );
    service = await startBlueprint(config, telemetry, { env: { CHECKOUT_TOKEN: TOKEN } });

    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${RULES}\nscrape_configs:\n  - job_name: blueprint\n    static_configs:\n      - targets: ['127.0.0.1:${service.adminPort}']\n`,
    );
    prometheus = startProcess(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const prom = `http://127.0.0.1:${promPort}`;
    await waitFor(`Prometheus to scrape the blueprint (${prometheus.output().slice(-400)})`, async () =>
      (await promQuery(prom, 'up{job="blueprint"} == 1')).length > 0 ? true : undefined,
    );

    const load = new LoadGenerator({
      url: service.url,
      tenants: [{ name: 'checkout', weight: 1, token: TOKEN }],
      ratePerSecond: RATE,
      eventsPerRequest: [1, 3],
    });
    load.start();
    await new Promise((r) => setTimeout(r, LOAD_MS));
    await load.stop();
    expect(load.stats.sent).toBeGreaterThan(900);
    expect(load.stats.byStatus[500] ?? 0).toBe(0);
    // Two scrapes and a rule evaluation after the last request, for Prometheus to see it all.
    await new Promise((r) => setTimeout(r, 3_500));

    const engine = telemetry.slo.status();
    const firing = (slo: string) =>
      engine
        .find((s) => s.slo === slo)!
        .tiers.filter((t) => t.firing)
        .map((t) => t.tier)
        .sort();
    const latency = engine.find((s) => s.slo === 'latency')!;
    const burn5m = latency.windows.find((w) => w.window === '5m')!.burnRate;
    // About 10% of the stored requests over 250 ms against a 1% budget: over the 6x line (a slow
    // machine adds organic slowness, so the 14.4x page may fire too; the engine and the rules
    // must agree either way).
    expect(burn5m).toBeGreaterThan(7);
    expect(firing('latency')).toEqual(expect.arrayContaining(['page-slow', 'ticket-fast', 'ticket-slow']));
    // Compare the tiers whose burn rates are clearly on one side of their threshold: Prometheus
    // extrapolates rate() over its scrapes while the engine counts exactly, so a tier within 20%
    // of its line may flip either way in a 12 s run (seen: page-fast at ~14x of 14.4x).
    const clearlyDecided = (slo: string) =>
      engine
        .find((s) => s.slo === slo)!
        .tiers.filter((t) => {
          const lowest = Math.min(t.longBurnRate, t.shortBurnRate);
          return lowest > 1.2 * t.burnRateThreshold || lowest < 0.8 * t.burnRateThreshold;
        })
        .map((t) => t.tier);
    expect(clearlyDecided('latency')).toEqual(
      expect.arrayContaining(['page-slow', 'ticket-fast', 'ticket-slow']),
    );
    // Prometheus also misses what happened before its first scrape of a series (rate() starts at
    // the first sample), so a tier is compared only when Prometheus's own recorded burn rates are
    // clearly on the same side of the line as the engine's (seen: page-fast at 11x in the engine,
    // over 14.4x in Prometheus, which had not seen the run's fast first second).
    const prometheusBurn = async (slo: string, window: string, budget: number): Promise<number> => {
      const [sample] = await promQuery(
        prom,
        `plumbline_slo:error_ratio:rate${window}{service="blueprint",slo="${slo}"}`,
      );
      return Number(sample?.value[1] ?? Number.NaN) / budget;
    };
    const sameSide = async (slo: string): Promise<Set<string>> => {
      const status = engine.find((s) => s.slo === slo)!;
      const agreed = new Set<string>();
      for (const tier of status.tiers) {
        if (!clearlyDecided(slo).includes(tier.tier)) continue;
        const lowest = Math.min(
          await prometheusBurn(slo, tier.longWindow, 1 - status.objective / 100),
          await prometheusBurn(slo, tier.shortWindow, 1 - status.objective / 100),
        );
        const over = Math.min(tier.longBurnRate, tier.shortBurnRate) > tier.burnRateThreshold;
        if (over ? lowest > 1.2 * tier.burnRateThreshold : lowest < 0.8 * tier.burnRateThreshold)
          agreed.add(tier.tier);
      }
      return agreed;
    };
    // The tiers the load is built to fire are far over their lines in both.
    expect([...(await sameSide('latency'))]).toEqual(
      expect.arrayContaining(['page-slow', 'ticket-fast', 'ticket-slow']),
    );
    for (const slo of ['latency', 'availability']) {
      const decided = await sameSide(slo);
      const alerts = await promQuery(prom, `ALERTS{alertstate="firing",service="blueprint",slo="${slo}"}`);
      const prometheusFiring = alerts.map((a) => a.metric.tier!).filter((tier) => decided.has(tier));
      expect(prometheusFiring.sort(), `tiers firing for ${slo}`).toEqual(
        firing(slo).filter((tier) => decided.has(tier)),
      );
    }

    // Exemplars of the slow buckets (le >= 0.25) must name traces the tail sampler kept.
    const exposition = await (
      await fetch(`${service.adminUrl}/metrics`, { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    const slowExemplars = [
      ...exposition.matchAll(
        /^http_server_request_duration_seconds_bucket\{[^}]*le="([^"]+)"\} \S+ # \{[^}]*trace_id="([0-9a-f]{32})"/gm,
      ),
    ]
      .filter((m) => Number(m[1]) >= 0.25)
      .map((m) => m[2]!);
    const injected: Record<string, number> = {};
    for (const m of exposition.matchAll(
      /^blueprint_chaos_injected_total\{kind="([a-z_]+)",target="([a-z]+)"\} (\S+)$/gm,
    ))
      injected[`${m[1]}/${m[2]}`] = Number(m[3]);

    await service.drain();
    await telemetry.shutdown();
    const keptTraces = new Set(spans.map((s) => s.spanContext().traceId));
    expect(slowExemplars.length).toBeGreaterThan(0);
    for (const traceId of slowExemplars)
      expect(keptTraces.has(traceId), `exemplar trace ${traceId}`).toBe(true);

    // Every injected fault's span was kept: the counts on /metrics equal the marked spans exported.
    const marked = (name: RegExp, kind: string) =>
      spans.filter((s: ReadableSpan) => name.test(s.name) && s.attributes[CHAOS_ATTRIBUTE] === kind).length;
    expect(injected['tail_latency/storage']).toBeGreaterThan(20);
    expect(injected['kill_task/storage']).toBeGreaterThan(5);
    expect(injected['kill_task/dependency']).toBeGreaterThan(20);
    expect(marked(/^blueprint\.batch\.store$/, 'tail_latency')).toBe(injected['tail_latency/storage']);
    expect(marked(/^blueprint\.batch\.store$/, 'kill_task')).toBe(injected['kill_task/storage']);
    expect(marked(/^lookup /, 'kill_task')).toBe(injected['kill_task/dependency']);
    // And the requests those slow flushes held are slow traces, kept whole with their marks.
    const slowRequests = spans.filter(
      (s) => s.name === 'POST /events' && s.attributes[CHAOS_ATTRIBUTE] === 'tail_latency',
    );
    expect(slowRequests.length).toBeGreaterThan(0);
    for (const span of slowRequests)
      expect(span.duration[0] * 1e3 + span.duration[1] / 1e6).toBeGreaterThan(250);
  }, 60_000);
});
