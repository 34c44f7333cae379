// `npm run demo [-- --duration <s>] [--rate <req/s>] [--chaos <profile>]`: starts the two
// dependencies as their own instrumented processes, the blueprint and a load generator in this
// process, injects slowness and failures on a schedule, prints a live summary every second and a
// final report on Ctrl-C or at the end of --duration. --chaos (or BLUEPRINT_CHAOS) turns on a
// chaos profile for the run. All three services export OTLP to a relay in this process, which
// names one kept trace with its spans per service; with OTEL_EXPORTER_OTLP_ENDPOINT set the relay
// also forwards everything there. Needs no collector, Prometheus or Grafana.
// Tenant tokens named by token_env and not set are made up for the run (never printed).
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ChaosProfileError, chaosEnabled, chaosOverride } from './chaos-profiles.js';
import { ConfigError, loadConfig, type BlueprintConfig } from './config.js';
import { startDependencyProcess, type DependencyProcess } from './dependency-process.js';
import { countStoredEvents } from './event-store.js';
import { LoadGenerator } from './loadgen.js';
import { OtlpRelay, otlpHeadersFromEnv } from './otlp-relay.js';
import { latencyView, parseExposition, sumBy } from './scrape.js';
import { startBlueprint } from './service.js';
import { renderSummary, type SummarySnapshot } from './summary.js';
import { openTelemetry } from './telemetry-port.js';
import { readTenantTokens } from './tenant-auth.js';

const USAGE =
  'usage: npm run demo -- [--duration <seconds>] [--rate <requests/s>] [--config <file.toml>] [--chaos off|kill|corrupt|latency|mixed]';
/** The longest delay setTimeout keeps (2^31-1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const args = parseArgs(process.argv.slice(2));
const here = fileURLToPath(new URL('.', import.meta.url));
const configPath = args.config ?? `${here}blueprint.toml`;
let fileConfig: BlueprintConfig;
try {
  fileConfig = await loadConfig(configPath);
} catch (error) {
  // One line naming the file (or every bad key), as the service's main.ts: no stack trace.
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `cannot read config ${configPath}: ${(error as Error).message}`}\n`,
  );
  process.exit(2);
}
let chaos = fileConfig.chaos;
try {
  chaos =
    chaosOverride(args.chaos, '--chaos') ??
    chaosOverride(process.env.BLUEPRINT_CHAOS, 'BLUEPRINT_CHAOS') ??
    chaos;
} catch (error) {
  if (error instanceof ChaosProfileError) usage(error.message);
  throw error;
}
const dbPath = `${here}data/demo.db`;
const logPath = `${here}data/demo-events.ndjson`;
const securityLogPath = `${here}data/demo-security.ndjson`;
for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
rmSync(logPath, { force: true });
rmSync(securityLogPath, { force: true });
// The dependencies append to their logs: without this, each run's lines followed the last one's.
const dependencyLogPath = (name: string) => `${here}data/demo-${name}.ndjson`;
for (const d of fileConfig.dependencies) rmSync(dependencyLogPath(d.name), { force: true });

// The service reads tokens from this environment; the load generator presents the same ones.
const env: NodeJS.ProcessEnv = { ...process.env };
for (const tenant of fileConfig.tenants)
  if ('env' in tenant.token && (env[tenant.token.env] ?? '') === '')
    env[tenant.token.env] = randomBytes(24).toString('base64url');
const tokens = readTenantTokens(fileConfig.tenants, env, fileConfig.source);

// The user's OTLP endpoint (if any) gets everything through the relay, the dependencies' too.
const upstream = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const forwarding = upstream !== undefined && upstream !== '';
const relay = await OtlpRelay.start(
  forwarding ? upstream : undefined,
  otlpHeadersFromEnv(process.env.OTEL_EXPORTER_OTLP_HEADERS),
);
// A SIGINT or SIGTERM while the run starts (the dependencies take seconds) is kept and acted on
// once they can be stopped: with no handler yet, Node ended at once and left them running.
// One handler for the whole run (removing and adding one let a pending signal go unseen).
let interrupted: NodeJS.Signals | undefined;
let stopOnSignal: (() => void) | undefined = undefined;
const onSignal = (signal: NodeJS.Signals): void => {
  if (stopOnSignal === undefined) interrupted = signal;
  else stopOnSignal();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
// Its parent gone, the demo stops as on SIGHUP: `npm run demo` runs it under `sh -c`, and a
// SIGTERM sent to npm alone (a supervisor, `kill`, `timeout`) ended npm and the shell but not the
// demo, which went on with its dependencies for good. Node has no prctl(PR_SET_PDEATHSIG): the
// parent's pid is compared every half second (an orphan is adopted by init or a subreaper).
// Regression: demo-orphaned-when-npm-alone-is-terminated.
const parentPid = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(parentWatch);
  onSignal('SIGHUP');
}, 500);
parentWatch.unref();
const starting = await Promise.allSettled(
  fileConfig.dependencies.map((d) =>
    startDependencyProcess(d.name, {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: relay.url, OTEL_BSP_SCHEDULE_DELAY: '1000' },
      log: dependencyLogPath(d.name),
    }),
  ),
);
const deps: DependencyProcess[] = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
// However this process ends, its dependency processes end with it.
process.on('exit', () => {
  for (const dep of deps) dep.child.kill('SIGKILL');
});
for (const s of starting)
  if (s.status === 'rejected') {
    // The ones that did start end with this process (above), not later.
    process.stderr.write(`cannot start the demo: ${(s.reason as Error).message}\n`);
    process.exit(1);
  }
// Ended by a signal while it started: 128 + its number (SIGHUP 129, SIGINT 130, SIGTERM 143).
if (interrupted !== undefined) process.exit(128 + constants.signals[interrupted]);
const config: BlueprintConfig = {
  ...fileConfig,
  service: { ...fileConfig.service, tls: undefined, host: '127.0.0.1', port: 0 },
  admin: { host: '127.0.0.1', port: 0 },
  storage: { ...fileConfig.storage, path: dbPath },
  dependencies: deps.map((d) => ({ name: d.name, url: d.url })),
  chaos,
};
const telemetry = await openTelemetry({
  otlpEndpoint: relay.url,
  otlpLogs: forwarding,
  logDestination: logPath,
  securityLogDestination: securityLogPath,
  securityLog: {
    foldWindowMs: config.security.foldWindowMs,
    maxLinesPerWindow: config.security.maxLinesPerWindow,
  },
});
const service = await startBlueprint(config, telemetry, { env });
const load = new LoadGenerator({
  url: service.url,
  tenants: config.tenants.map((t, i) => ({
    name: t.name,
    weight: t.class === 'latency-sensitive' ? 3 : 2 + i,
    token: tokens.get(t.name),
  })),
  ratePerSecond: args.rate,
  eventsPerRequest: [1, 5],
  invalidFraction: 0.03,
  badTokenFraction: 0.02,
  bursts: { everyMs: 10_000, durationMs: 1_500, multiplier: 4 },
});

// The fault script, a 30 s cycle: a slow dependency (beyond the 80 ms budget: degraded
// enrichment), then a flaky one (failures: degraded too), then calm.
const [first, second] = deps;
let faults = 'none';
/** Sets the dependencies' faults (over HTTP, they are processes) when the phase changes. */
function applyFaults(t: number): void {
  const phase = t % 30;
  if (first === undefined || second === undefined) return;
  const next =
    phase >= 8 && phase < 14
      ? `${second.name} slow (120 ms > budget)`
      : phase >= 18 && phase < 24
        ? `${first.name} failing 30%`
        : 'none';
  if (next === faults) return;
  faults = next;
  const calm = { latencyMs: 2, jitterMs: 3, failureRate: 0 };
  const changes =
    next === 'none'
      ? [first.setFaults(calm), second.setFaults(calm)]
      : next.startsWith(second.name)
        ? [second.setFaults({ latencyMs: 120, jitterMs: 40, failureRate: 0 })]
        : [second.setFaults(calm), first.setFaults({ ...calm, failureRate: 0.3 })];
  void Promise.all(changes).catch((error: Error) =>
    process.stderr.write(`setting dependency faults failed: ${error.message}\n`),
  );
}

/** "<profile>: kill_task/dependency 3, ..." for the summary and the final report. */
function chaosCounts(): string {
  const counts = Object.entries(service.chaos?.injected ?? {});
  const list = counts.length === 0 ? 'nothing yet' : counts.map(([k, n]) => `${k} ${n}`).join(', ');
  return `${config.chaos?.profile ?? 'off'}: ${list}`;
}

const started = Date.now();
let lastAccepted = 0;
let lastTick = started;
let snapshot: SummarySnapshot | undefined;
/** Seconds each fault phase has run, for the final report (the header shows only the current one). */
const faultPhaseSeconds: Record<string, number> = {};

async function tick(): Promise<void> {
  const now = Date.now();
  const elapsed = (now - started) / 1000;
  faultPhaseSeconds[faults] = (faultPhaseSeconds[faults] ?? 0) + (now - lastTick) / 1000;
  applyFaults(Math.floor(elapsed));
  const response = await fetch(`${service.adminUrl}/metrics`, {
    headers: { accept: 'application/openmetrics-text' },
  });
  const samples = parseExposition(await response.text());
  const decisions = sumBy(samples, 'blueprint_ingress_decisions_total', 'reason');
  const stored = (l: Readonly<Record<string, string>>) =>
    l.http_route === '/events' && (l.outcome === 'ok' || l.outcome === 'degraded');
  const latency = latencyView(samples, 'http_server_request_duration_seconds_bucket', stored);
  const q = (p: number) => telemetry.histogramQuantile(p, latency.upperBounds, latency.cumulativeCounts);
  const accepted = decisions.accepted ?? 0;
  snapshot = {
    elapsedSeconds: elapsed,
    throughput: ((accepted - lastAccepted) * 1000) / Math.max(1, now - lastTick),
    decisions,
    degradedRequests: load.stats.degradedRequests,
    quantiles: { p50: q(0.5), p90: q(0.9), p99: q(0.99) },
    slos: telemetry.slo.status(),
    sampler: telemetry.sampler?.stats(),
    slowExemplars: latency.slowExemplars,
    faults,
    chaos:
      service.chaos === undefined
        ? undefined
        : { profile: config.chaos?.profile ?? 'off', injected: { ...service.chaos.injected } },
    health: service.health().status,
    security: sumBy(samples, 'plumbline_security_events_total', 'event'),
    securityByOutcome: securityByOutcome(samples),
    keptTrace: relay.keptTrace(),
  };
  lastAccepted = accepted;
  lastTick = now;
  const text = renderSummary(snapshot) + (forwarding ? `\n${forwardLine()}` : '');
  // On a terminal, redraw in place; piped (CI, tests), append.
  process.stdout.write(process.stdout.isTTY ? `\x1b[2J\x1b[H${text}\n\n(Ctrl-C to stop)\n` : `${text}\n\n`);
}

load.start();
const interval = setInterval(
  () => void tick().catch((error: Error) => process.stderr.write(`summary failed: ${error.message}\n`)),
  1000,
);
let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(interval);
  await load.stop();
  await tick();
  await service.drain();
  const storedEvents = countStoredEvents(dbPath);
  const final = snapshot!;
  await telemetry.shutdown();
  await Promise.all(deps.map((d) => d.stop()));
  // Everything is flushed to the relay now: the kept trace of the final report is complete.
  const keptTrace = relay.keptTrace();
  await relay.close();
  const lost = load.stats.acceptedEvents - storedEvents;
  const securityLines = readFileSync(securityLogPath, 'utf8')
    .split('\n')
    .filter((l) => l !== '').length;
  const securityTotal = Object.values(final.security).reduce((sum, n) => sum + n, 0);
  process.stdout.write(
    [
      '',
      '== final report ==',
      renderSummary({ ...final, keptTrace }, { faultPhaseSeconds }),
      `requests sent ${load.stats.sent}, answers by status ${JSON.stringify(load.stats.byStatus)}`,
      `network errors ${networkErrors()}`,
      ...(forwarding ? [forwardLine()] : []),
      `events accepted (202) ${load.stats.acceptedEvents}, events in the store ${storedEvents}: ${lost === 0 ? 'none lost' : `${lost} LOST`}`,
      `event log: ${logPath}`,
      `store: ${dbPath}`,
      `security events ${securityTotal} in ${securityLines} lines (repeats folded per source): ${securityLogPath}`,
      chaosEnabled(config.chaos)
        ? `chaos ${chaosCounts()} (each also on blueprint_chaos_injected_total)`
        : 'chaos off',
      '',
    ].join('\n'),
  );
  process.exit(lost === 0 ? 0 : 1);
}
stopOnSignal = () => void stop();
// One that came while the service started: a run of no length, with its final report.
if (interrupted !== undefined) void stop();
if (args.duration !== undefined) setTimeout(() => void stop(), args.duration * 1000);

/**
 * What reached OTEL_EXPORTER_OTLP_ENDPOINT: "otlp       sent 120 requests to URL: 120 FAILED
 * (last: ECONNREFUSED)". The services export to the relay, which answers them itself, so a
 * collector that is down or refuses shows here and nowhere else.
 */
function forwardLine(): string {
  const failed = relay.forwardFailures + relay.forwardDropped;
  const detail =
    failed === 0
      ? 'all answered'
      : [
          relay.forwardFailures > 0
            ? `${relay.forwardFailures} FAILED (last: ${relay.lastForwardError ?? 'unknown'})`
            : '',
          relay.forwardDropped > 0 ? `${relay.forwardDropped} DROPPED (64 already under way)` : '',
        ]
          .filter((part) => part !== '')
          .join(', ');
  return `otlp       sent ${relay.forwarded} requests to ${upstream}: ${detail}`;
}

/** "11 (ECONNRESET 9, EPIPE 2)": requests that got no answer, by error code (a few at most). */
function networkErrors(): string {
  const byCode = Object.entries(load.stats.networkErrorsByCode).sort(([, a], [, b]) => b - a);
  if (byCode.length === 0) return '0';
  return `${load.stats.networkErrors} (${byCode.map(([code, n]) => `${code} ${n}`).join(', ')})`;
}

/** "auth.failed/wrong_token" -> count, from plumbline_security_events_total{event,outcome}. */
function securityByOutcome(samples: ReturnType<typeof parseExposition>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== 'plumbline_security_events_total') continue;
    const key = `${s.labels.event ?? ''}/${s.labels.outcome ?? ''}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

interface DemoArgs {
  duration?: number;
  rate: number;
  config?: string;
  chaos?: string;
}

function parseArgs(argv: readonly string[]): DemoArgs {
  const out: DemoArgs = { rate: 300 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (flag === '--duration' || flag === '--rate') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) usage(`${flag} needs a positive number`);
      // setTimeout takes at most 2^31-1 ms; past it Node fires at once (the run would end at 0 s).
      if (flag === '--duration' && n * 1000 > MAX_TIMER_MS)
        usage(
          `--duration must be at most ${Math.floor(MAX_TIMER_MS / 1000)} seconds (24.8 days); without it the demo runs until Ctrl-C`,
        );
      if (flag === '--duration') out.duration = n;
      else out.rate = n;
      i++;
    } else if (flag === '--config' && value !== undefined) {
      out.config = value;
      i++;
    } else if (flag === '--chaos' && value !== undefined) {
      out.chaos = value;
      i++;
    } else usage(`unknown argument ${flag}`);
  }
  return out;
}

function usage(problem: string): never {
  process.stderr.write(`${problem}\n${USAGE}\n`);
  process.exit(2);
}
