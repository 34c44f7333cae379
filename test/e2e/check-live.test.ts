// `plumbline check live` against real processes over real HTTP: the blueprint as its own process
// under load conforms to its spec; drifted builds (the service built from one spec, checked
// against another, as when a deploy and the repository disagree) are each caught by name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { startLiveCheck, type LiveCheck, type LiveCheckReport } from '../../src/check/index.js';
import type { TelemetrySpec } from '../../src/index.js';
import { blueprintToml, startBlueprintProcess, startDependencies } from '../support/blueprint.js';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';

const TOKEN = 'check-live-token-0123456789abcdef';
process.env.BLUEPRINT_CHECK_TOKEN = TOKEN;
/** The blueprint's request-latency histogram (the SLIs read it). */
const REQUEST_HISTOGRAM = 'http.server.request.duration';

let dir: string;
let deps: DependencyServer[] = [];
const running: RunningProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'check-live-'));
  deps = await startDependencies({ latencyMs: 5, jitterMs: 2 });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

type MutableSpec = { -readonly [K in keyof TelemetrySpec]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A copy of the blueprint spec with one change: what a drifted build was made from. */
function drifted(change: (spec: MutableSpec) => void): TelemetrySpec {
  const copy = structuredClone(blueprintSpec) as unknown as MutableSpec;
  change(copy);
  return copy as unknown as TelemetrySpec;
}

function named(report: LiveCheckReport): string[] {
  return [...new Set(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source})`))];
}

let run = 0;
/**
 * Starts one live check per spec (the first also receives the blueprint's OTLP, unless
 * `otlpEndpoint` names another receiver), then the blueprint as a process under ~4 s of mixed
 * load, then SIGTERM (which flushes its OTLP).
 */
async function checkBlueprintUnderLoad(
  specs: readonly TelemetrySpec[],
  options: { readonly adminPort?: number; readonly otlpEndpoint?: string; readonly name?: string } = {},
): Promise<LiveCheckReport[]> {
  run++;
  const name = options.name ?? String(run);
  const [port, adminPort] = [await freePort(), options.adminPort ?? (await freePort())];
  const configPath = join(dir, `blueprint-${name}.toml`);
  const logPath = join(dir, `events-${name}.ndjson`);
  const securityLogPath = join(dir, `security-${name}.ndjson`);
  writeFileSync(
    configPath,
    blueprintToml({
      dbPath: `events-${name}.db`,
      deps,
      service: { listen: `127.0.0.1:${port}` },
      admin: { listen: `127.0.0.1:${adminPort}` },
      tenants: {
        checkout: { class: 'latency-sensitive', queue_bound: 200, token_env: 'BLUEPRINT_CHECK_TOKEN' },
        analytics: { class: 'best-effort', queue_bound: 200, token_env: 'BLUEPRINT_CHECK_TOKEN' },
      },
      tables: { security: { log: securityLogPath } },
    }),
  );
  const checks: LiveCheck[] = [];
  for (const [i, spec] of specs.entries()) {
    checks.push(
      await startLiveCheck({
        spec,
        metricsUrl: `http://127.0.0.1:${adminPort}/metrics`,
        logs: [logPath, securityLogPath],
        ...(i === 0 && options.otlpEndpoint === undefined ? { otlpListen: '127.0.0.1:0' } : {}),
        scrapeIntervalMs: 1000,
      }),
    );
  }
  const proc = await startBlueprintProcess(configPath, {
    log: logPath,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint ?? checks[0]!.otlpEndpoint! },
    started: (p) => running.push(p),
  });
  const load = new LoadGenerator({
    url: `http://127.0.0.1:${port}`,
    tenants: [
      { name: 'checkout', weight: 2, token: TOKEN },
      { name: 'analytics', weight: 1, token: TOKEN },
    ],
    ratePerSecond: 150,
    invalidFraction: 0.05,
    badTokenFraction: 0.02,
  });
  load.start();
  await new Promise((resolve) => setTimeout(resolve, 4000));
  await load.stop();
  expect(load.stats.byStatus[202]).toBeGreaterThan(0);
  await Promise.all(checks.map((check) => check.scrape()));
  expect(await proc.stop('SIGTERM'), proc.output()).toBe(0);
  return Promise.all(checks.map((check) => check.finish()));
}

describe('check live against the blueprint process', () => {
  it('finds no deviation under load: /metrics, event and security logs, OTLP traces, logs and metrics', async () => {
    const [report] = await checkBlueprintUnderLoad([blueprintSpec]);
    expect(named(report!), JSON.stringify(report!.deviations, null, 2)).toEqual([]);
    expect(report!.ok).toBe(true);
    const observed = report!.observed;
    expect(observed.scrapes).toBeGreaterThan(2);
    expect(observed.metricFamilies).toBeGreaterThan(3);
    expect(observed.logLines).toBeGreaterThan(0);
    expect(observed.spans).toBeGreaterThan(0);
    expect(observed.logRecords).toBeGreaterThan(0);
    expect(observed.metricPoints).toBeGreaterThan(0);
  }, 60_000);

  it('`plumbline check live` as its own process: the blueprint passes (exit 0, JSON report), metrics and OTLP', async () => {
    const specPath = join(dir, 'blueprint-spec.json');
    writeFileSync(specPath, JSON.stringify(blueprintSpec));
    const [adminPort, otlpPort] = [await freePort(), await freePort()];
    const cli = startProcess(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'check',
        'live',
        '--spec',
        specPath,
        '--metrics',
        `http://127.0.0.1:${adminPort}/metrics`,
        '--otlp-listen',
        `127.0.0.1:${otlpPort}`,
        // The paths checkBlueprintUnderLoad gives the event and security logs of run "cli".
        '--logs',
        `${join(dir, 'events-cli.ndjson')},${join(dir, 'security-cli.ndjson')}`,
        '--duration',
        '15s',
        // The blueprint is up for a few seconds inside the 15 s: scrape often enough to see it.
        '--scrape-interval',
        '1s',
        '--json',
      ],
      {},
    );
    running.push(cli);
    const exited = new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
    await waitFor(
      'the check to listen',
      () => (cli.output().includes('receiving OTLP/HTTP on') ? true : undefined),
      20_000,
    );
    // The in-process check reads the logs alongside; the CLI process scrapes and receives the OTLP.
    const [report] = await checkBlueprintUnderLoad([blueprintSpec], {
      adminPort,
      otlpEndpoint: `http://127.0.0.1:${otlpPort}`,
      name: 'cli',
    });
    expect(named(report!)).toEqual([]);
    expect(await exited, cli.output()).toBe(0);
    const json = JSON.parse(cli.output().slice(cli.output().indexOf('{'))) as LiveCheckReport;
    expect(json.ok).toBe(true);
    expect(json.deviations).toEqual([]);
    expect(json.observed.scrapes).toBeGreaterThan(0);
    expect(json.observed.logLines).toBeGreaterThan(0);
    expect(json.observed.spans).toBeGreaterThan(0);
    expect(json.observed.logRecords).toBeGreaterThan(0);
    expect(json.observed.metricPoints).toBeGreaterThan(0);
  }, 60_000);

  it('catches a drifted build run as its own process: event.rejected written without the request trace_id', async () => {
    const port = await freePort();
    const logPath = join(dir, 'drifted.ndjson');
    const check = await startLiveCheck({
      spec: blueprintSpec,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      logs: logPath,
    });
    const drifted = startProcess(process.execPath, [
      '--import',
      'tsx',
      'test/check/drifted-service.ts',
      String(port),
      logPath,
    ]);
    running.push(drifted);
    await waitFor(
      'the drifted service to listen',
      () => (drifted.output().includes('listening') ? true : undefined),
      20_000,
    );
    for (let i = 0; i < 5; i++)
      expect((await fetch(`http://127.0.0.1:${port}/events`, { method: 'POST', body: '{}' })).status).toBe(
        400,
      );
    await check.scrape();
    expect(await drifted.stop('SIGTERM'), drifted.output()).toBe(0);
    const report = await check.finish();
    const missing = report.deviations.filter((d) => d.kind === 'missing-trace-id');
    expect(missing.map((d) => `${d.subject} (${d.source}) x${d.count}`)).toEqual([
      'event.rejected (logs) x5',
    ]);
    expect(report.ok).toBe(false);
  }, 60_000);

  it('catches each drifted build by name: extra attribute, changed bucket, undeclared event, line without trace ID, sensitive field in clear', async () => {
    const extraAttribute = drifted((s) => {
      s.histograms[REQUEST_HISTOGRAM].attributes = s.histograms[REQUEST_HISTOGRAM].attributes.filter(
        (a: string) => a !== 'tenant',
      );
    });
    const changedBucket = drifted((s) => {
      s.histograms['blueprint.batch.size'].buckets = { boundaries: [1, 5, 10, 25, 50, 100] };
    });
    const undeclaredEvent = drifted((s) => {
      delete s.events['batch.stored'];
    });
    // config.loaded is written at startup, outside any span: a spec saying otherwise sees lines without trace_id.
    const withoutTraceId = drifted((s) => {
      s.events['config.loaded'].inSpan = true;
    });
    const sensitiveInClear = drifted((s) => {
      s.events['event.rejected'].fields.tenant.sensitive = true;
    });
    const all = drifted((s) => {
      s.histograms[REQUEST_HISTOGRAM].attributes = s.histograms[REQUEST_HISTOGRAM].attributes.filter(
        (a: string) => a !== 'tenant',
      );
      s.histograms['blueprint.batch.size'].buckets = { boundaries: [1, 5, 10, 25, 50, 100] };
      delete s.events['batch.stored'];
      s.events['config.loaded'].inSpan = true;
      s.events['event.rejected'].fields.tenant.sensitive = true;
    });
    const [otlpAll, ...reports] = await checkBlueprintUnderLoad([
      all,
      extraAttribute,
      changedBucket,
      undeclaredEvent,
      withoutTraceId,
      sensitiveInClear,
    ]);
    const [extra, bucket, event, trace, sensitive] = reports.map((r) => named(r!));
    expect(extra).toEqual([`undeclared-attribute ${REQUEST_HISTOGRAM} tenant (metrics)`]);
    expect(bucket).toEqual(['bucket-mismatch blueprint.batch.size (metrics)']);
    expect(event).toEqual(['undeclared-event batch.stored (logs)']);
    expect(trace).toEqual(['missing-trace-id config.loaded (logs)']);
    // Sensitive anywhere: once tenant is a sensitive field, every line and series carrying it in clear is caught.
    expect(sensitive).toContain('sensitive-unredacted event.rejected.tenant (logs)');
    expect(sensitive).toContain(`sensitive-unredacted ${REQUEST_HISTOGRAM} tenant (metrics)`);
    for (const name of sensitive!) expect(name).toMatch(/^sensitive-unredacted .*tenant \((logs|metrics)\)$/);
    for (const report of reports) expect(report!.ok).toBe(false);

    // The same drifts seen through OTLP, by the check that was the blueprint's OTLP endpoint.
    const otlp = named(otlpAll!).filter((name) => name.includes('(otlp-'));
    expect(otlp).toEqual(
      expect.arrayContaining([
        `undeclared-attribute ${REQUEST_HISTOGRAM} tenant (otlp-metrics)`,
        'bucket-mismatch blueprint.batch.size (otlp-metrics)',
        'undeclared-event batch.stored (otlp-logs)',
        'sensitive-unredacted event.rejected.tenant (otlp-logs)',
        'missing-trace-id config.loaded (otlp-logs)',
      ]),
    );
    expect(otlp.some((name) => /^sensitive-unredacted .* tenant \(otlp-traces\)$/.test(name))).toBe(true);
  }, 90_000);
});
