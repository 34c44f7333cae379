// One trace per request, end to end with real peers: the blueprint and its two dependencies as
// their own processes export OTLP to a real collector (file exporter), a real Prometheus scrapes
// the blueprint's /metrics with exemplar storage. One request with a known traceparent, made slow
// and failing so it is kept, is followed through the exported trace, the log lines, the stored
// row and Prometheus's exemplars; then a 30 s load run is counted: every request-scoped log line
// carries a trace_id, and kept request traces have their storage batch kept.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDependencyProcess,
  type DependencyProcess,
} from '../../examples/blueprint/dependency-process.js';
import { storedRowsOfTrace } from '../../examples/blueprint/event-store.js';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';
import { spec } from '../../examples/blueprint/telemetry.js';
import { prometheusBaseName } from '../../src/spec/naming.js';
import { blueprintToml, startBlueprintProcess } from '../support/blueprint.js';
import { collectorBinary, startCollector, type CollectorProcess } from '../support/collector.js';
import { freePort, waitFor, type RunningProcess } from '../support/process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const TOKEN = 'trace-e2e-token-0123456789';
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const LOAD_SECONDS = 30;
/** Log events written for one request (the security ones go to the security log). */
const REQUEST_EVENTS = new Set([
  'event.rejected',
  'enrichment.degraded',
  'auth.failed',
  'request.refused',
  'rate_limit.tripped',
]);

// The latency histogram the SLO reads, by its Prometheus name (read from the spec, not spelled here).
const latencyHistogram = (() => {
  const latency = Object.values(spec.slos).find((slo) => slo.sli.kind === 'latency')!;
  const name = (latency.sli as { histogram: string }).histogram;
  const histograms = spec.histograms as Record<string, { unit?: string }>;
  return `${prometheusBaseName(name, histograms[name]!.unit)}_bucket`;
})();

interface Span {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly start: bigint;
  readonly links: readonly { traceId: string; spanId: string }[];
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly statusCode: number;
}

/** Every span in the collector's file exporter output (OTLP JSON lines, hex IDs). */
function exportedSpans(path: string): Span[] {
  if (!existsSync(path)) return [];
  const out: Span[] = [];
  type KeyValue = { key: string; value: Record<string, unknown> };
  const value = (v: Record<string, unknown>): unknown =>
    v.stringValue ?? v.boolValue ?? (v.intValue === undefined ? v.doubleValue : Number(v.intValue));
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const body = JSON.parse(line) as {
      resourceSpans?: {
        resource?: { attributes?: KeyValue[] };
        scopeSpans?: {
          spans?: {
            traceId: string;
            spanId: string;
            parentSpanId?: string;
            name: string;
            kind?: number;
            startTimeUnixNano: string;
            links?: { traceId: string; spanId: string }[];
            attributes?: KeyValue[];
            status?: { code?: number };
          }[];
        }[];
      }[];
    };
    for (const resource of body.resourceSpans ?? []) {
      const service = String(
        value(resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value ?? {}),
      );
      for (const scope of resource.scopeSpans ?? [])
        for (const span of scope.spans ?? [])
          out.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: span.kind ?? 0,
            start: BigInt(span.startTimeUnixNano),
            links: span.links ?? [],
            attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, value(a.value)])),
            statusCode: span.status?.code ?? 0,
          });
    }
  }
  return out;
}

function jsonLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/events`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-tenant': 'checkout',
          authorization: `Bearer ${TOKEN}`,
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const SPAN_KIND = { server: 2, client: 3 } as const;

let dir: string;
let collector: CollectorProcess | undefined;
let prometheus: PrometheusServer | undefined;
const deps: DependencyProcess[] = [];
let blueprint: RunningProcess | undefined;
let blueprintUrl = '';
let traceFile = '';
let logFile = '';
let securityLogFile = '';
let dbPath = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trace-per-request-'));
  traceFile = join(dir, 'traces.jsonl');
  logFile = join(dir, 'events.ndjson');
  securityLogFile = join(dir, 'security.ndjson');
  dbPath = join(dir, 'events.db');
  const otlpPort = await freePort();
  const collectorConfig = join(dir, 'collector.yaml');
  writeFileSync(
    collectorConfig,
    `extensions:
  health_check:
    endpoint: \${env:PLUMBLINE_HEALTH_ENDPOINT}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
exporters:
  file/traces:
    path: ${traceFile}
    flush_interval: 200ms
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file/traces]
`,
  );
  collector = await startCollector('collector', await collectorBinary(), collectorConfig, {});
  const otlp = `http://127.0.0.1:${otlpPort}`;
  // The dependencies export every span (they cannot know what the blueprint keeps) quickly.
  const depEnv = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_BSP_SCHEDULE_DELAY: '200' };
  for (const name of ['geo', 'profile'])
    deps.push(
      await startDependencyProcess(name, {
        env: depEnv,
        log: join(dir, `${name}.ndjson`),
        faults: { latencyMs: 2, jitterMs: 2 },
      }),
    );
  const port = await freePort();
  const adminPort = await freePort();
  const configPath = join(dir, 'blueprint.toml');
  writeFileSync(
    configPath,
    blueprintToml({
      dbPath,
      deps,
      service: { listen: `127.0.0.1:${port}` },
      admin: { listen: `127.0.0.1:${adminPort}` },
      tenants: { checkout: { class: 'latency-sensitive', queue_bound: 2000, token_env: 'TRACE_E2E_TOKEN' } },
      tables: {
        security: { log: securityLogFile },
        ingress: { timeout_ms: 2000 },
        enrichment: { budget_ms: 600, concurrency: 16 },
      },
    }),
  );
  blueprint = await startBlueprintProcess(configPath, {
    log: logFile,
    env: {
      ...process.env,
      TRACE_E2E_TOKEN: TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
  });
  blueprintUrl = `http://127.0.0.1:${port}`;
  prometheus = await startPrometheus({
    jobs: [
      { job: 'blueprint', targets: [`127.0.0.1:${adminPort}`] },
      // Each dependency serves its own /metrics.
      { job: 'dependencies', targets: deps.map((d) => new URL(d.url).host) },
    ],
  });
}, 120_000);

afterAll(async () => {
  await blueprint?.stop('SIGKILL');
  await Promise.all(deps.map((d) => d.stop()));
  await prometheus?.stop();
  await collector?.process.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('one trace per request through the blueprint', () => {
  it('follows one slow, failing request: exported trace in order, its log lines, its row, its exemplar', async () => {
    const [geo, profile] = deps;
    // Slow (geo 300 ms: past the 250 ms latency rule, an exemplar bucket) and failing (profile).
    await geo!.setFaults({ latencyMs: 300, jitterMs: 0 });
    await profile!.setFaults({ failureRate: 1 });
    const sentAt = Date.now() / 1000;
    const status = await post(blueprintUrl, JSON.stringify({ type: 'checkout.paid', user: 'u-42' }), {
      traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
      tracestate: 'vendor=e2e',
    });
    await geo!.setFaults({ latencyMs: 2, jitterMs: 2 });
    await profile!.setFaults({ failureRate: 0 });
    expect(status).toBe(202);

    // The exported trace: the request's spans, the dependencies', and the batch by its link.
    let spans: Span[] = [];
    let batch: Span | undefined;
    await waitFor(
      'the request trace and its batch in the collector file',
      () => {
        const all = exportedSpans(traceFile);
        spans = all.filter((s) => s.traceId === CLIENT_TRACE);
        const server = spans.find((s) => s.name === 'POST /events');
        batch = all.find(
          (s) => s.name === 'blueprint.batch.store' && s.links.some((l) => l.spanId === server?.spanId),
        );
        return spans.length >= 6 && batch !== undefined ? true : undefined;
      },
      30_000,
    );
    const server = spans.find((s) => s.name === 'POST /events')!;
    expect(server).toMatchObject({ service: 'blueprint', kind: SPAN_KIND.server, parentSpanId: CLIENT_SPAN });
    const lookups = spans
      .filter((s) => s.kind === SPAN_KIND.client)
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(lookups.map((s) => [s.service, s.name, s.parentSpanId])).toEqual([
      ['blueprint', 'lookup geo', server.spanId],
      ['blueprint', 'lookup profile', server.spanId],
    ]);
    const remote = spans
      .filter((s) => s.service !== 'blueprint')
      .sort((a, b) => a.service.localeCompare(b.service));
    expect(remote.map((s) => [s.service, s.name, s.kind, s.parentSpanId])).toEqual([
      ['geo', 'POST /lookup', SPAN_KIND.server, lookups[0]!.spanId],
      ['profile', 'POST /lookup', SPAN_KIND.server, lookups[1]!.spanId],
    ]);
    const wait = spans.find((s) => s.name === 'blueprint.batch.wait')!;
    expect(wait.parentSpanId).toBe(server.spanId);
    expect(wait.links.map((l) => l.spanId)).toEqual([batch!.spanId]);
    expect(batch!.traceId).not.toBe(CLIENT_TRACE);
    // In order: ingress, then the lookups, then the dependencies' server spans, then the wait.
    const firstLookup = lookups.reduce((min, s) => (s.start < min ? s.start : min), lookups[0]!.start);
    const lastLookup = lookups.reduce((max, s) => (s.start > max ? s.start : max), lookups[0]!.start);
    expect(server.start <= firstLookup).toBe(true);
    // A server span starts after its client span; two processes read the clock apart (a
    // wall-clock origin each), so they are compared to within 10 ms.
    const SKEW_NS = 10_000_000n;
    for (const [i, span] of remote.entries()) expect(span.start + SKEW_NS >= lookups[i]!.start).toBe(true);
    expect(wait.start >= lastLookup).toBe(true);
    expect(batch!.start >= wait.start).toBe(true);

    // The blueprint's log line for it (profile failed: enrichment.degraded) and its stored row.
    await waitFor('the degraded line', () =>
      jsonLines(logFile).some((l) => l.event === 'enrichment.degraded' && l.trace_id === CLIENT_TRACE)
        ? true
        : undefined,
    );
    const lines = jsonLines(logFile).filter((l) => l.trace_id === CLIENT_TRACE);
    expect(lines.map((l) => [l.event, l.span_id])).toEqual([['enrichment.degraded', server.spanId]]);
    expect(storedRowsOfTrace(dbPath, CLIENT_TRACE)).toEqual([
      expect.objectContaining({ tenant: 'checkout', type: 'checkout.paid', requestId: server.spanId }),
    ]);
    const dependencyFailure = jsonLines(join(dir, 'profile.ndjson')).find((l) => l.trace_id === CLIENT_TRACE);
    expect(dependencyFailure).toMatchObject({ event: 'lookup.failed' });

    // Prometheus scraped the exemplar of the slow bucket: this trace.
    let found: { labels: Record<string, string>; value: string }[] = [];
    await waitFor(
      'the exemplar in Prometheus',
      async () => {
        const series = await prometheus!.queryExemplars(
          latencyHistogram,
          sentAt - 60,
          Date.now() / 1000 + 60,
        );
        found = series.flatMap((s) => s.exemplars).filter((e) => e.labels.trace_id === CLIENT_TRACE);
        return found.length > 0 ? true : undefined;
      },
      30_000,
    );
    expect(Number(found[0]!.value)).toBeGreaterThanOrEqual(0.25);
    expect(found[0]!.labels.span_id).toBe(server.spanId);
    // The dependencies' own latency histograms, scraped from their own /metrics.
    const scraped = await waitFor('both dependencies scraped', async () => {
      const result = await prometheus!.query('sum by (instance) (dependency_lookup_duration_seconds_count)');
      return result.resultType === 'vector' && result.result.length === 2 ? result.result : undefined;
    });
    for (const series of scraped) expect(Number(series.value[1])).toBeGreaterThan(0);
  }, 90_000);

  it(
    `over a ${LOAD_SECONDS} s load run: every request log line has a trace_id, kept requests keep their batch`,
    async () => {
      const startedAt = Date.now();
      // Some failures and rejections, so there are request-scoped log lines to count.
      await deps[1]!.setFaults({ failureRate: 0.05 });
      const load = new LoadGenerator({
        url: blueprintUrl,
        tenants: [{ name: 'checkout', weight: 1, token: TOKEN }],
        ratePerSecond: 100,
        eventsPerRequest: [1, 3],
        invalidFraction: 0.03,
        badTokenFraction: 0.02,
      });
      load.start();
      await new Promise((resolve) => setTimeout(resolve, LOAD_SECONDS * 1000));
      await load.stop();
      await deps[1]!.setFaults({ failureRate: 0 });
      // SIGTERM: the blueprint drains and flushes its telemetry (the sampler decides what is left).
      expect(await blueprint!.stop('SIGTERM'), blueprint!.output()).toBe(0);
      const accepted = load.stats.byStatus[202] ?? 0;
      expect(accepted).toBeGreaterThan(LOAD_SECONDS * 30);

      // Request-scoped lines of the run in the event log and the security log.
      const since = new Date(startedAt).toISOString();
      const requestLines = [...jsonLines(logFile), ...jsonLines(securityLogFile)].filter(
        (l) => REQUEST_EVENTS.has(String(l.event)) && String(l.time) >= since,
      );
      const own = requestLines.filter((l) => l.summary !== true);
      const folded = requestLines.filter((l) => l.summary === true);
      const withTrace = own.filter(
        (l) => /^[0-9a-f]{32}$/.test(String(l.trace_id)) && /^[0-9a-f]{16}$/.test(String(l.span_id)),
      );
      expect(own.length).toBeGreaterThan(20);
      expect(withTrace.length).toBe(own.length);
      for (const summary of folded)
        expect((summary.sample as Record<string, unknown>).trace_id).toMatch(/^[0-9a-f]{32}$/);

      // Kept request traces (stored: 202) and whether their storage batch was kept too.
      let all: Span[] = [];
      let settled = -1;
      await waitFor(
        'the collector file to settle',
        () => {
          all = exportedSpans(traceFile);
          if (all.length === settled) return true;
          settled = all.length;
          return undefined;
        },
        60_000,
        2_000, // settled: two seconds without a new span
      );
      const batchSpans = new Set(all.filter((s) => s.name === 'blueprint.batch.store').map((s) => s.spanId));
      const storedRequests = all.filter(
        (s) =>
          s.name === 'POST /events' &&
          s.attributes['http.response.status_code'] === 202 &&
          s.start >= BigInt(startedAt) * 1_000_000n,
      );
      const waits = new Map(
        all.filter((s) => s.name === 'blueprint.batch.wait').map((s) => [s.parentSpanId, s]),
      );
      let withBatch = 0;
      for (const requestSpan of storedRequests) {
        const wait = waits.get(requestSpan.spanId);
        if (wait !== undefined && wait.links.some((l) => batchSpans.has(l.spanId))) withBatch++;
      }
      const share = withBatch / storedRequests.length;
      console.log(
        `trace-per-request: ${own.length} request-scoped log lines, ${withTrace.length} with trace_id (${((withTrace.length / own.length) * 100).toFixed(1)}%), ${folded.length} folded summaries; ` +
          `${storedRequests.length} kept stored request traces of ${accepted} accepted, ${withBatch} with their batch kept (${(share * 100).toFixed(2)}%)`,
      );
      expect(storedRequests.length).toBeGreaterThan(50);
      expect(share).toBeGreaterThanOrEqual(0.99);
    },
    (LOAD_SECONDS + 90) * 1000,
  );
});
