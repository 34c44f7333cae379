// `plumbline check live ... -- COMMAND`: the check starts the service itself, once it listens,
// and stops it at the end; how the service ended is part of the report. Without it a service that
// crashed mid-watch showed as refused scrapes at most (`--require-up`), never with its exit code,
// and a CI job had to start, wait for and stop the service around the check by hand.
// Real parts: the CLI in-process, the services as real node processes on 127.0.0.1 serving
// plumbline's own exposition, real scrapes and a real OTLP/HTTP post to the check's listener.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveCheckReport } from '../../src/check/index.js';
import { createEventLogger, createMetrics } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/process.js';
import { checkSpec, okRequest } from './check-spec.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** What the service serves and writes: conforming /metrics and event lines. */
function conformingTelemetry(): { body: string; contentType: string; lines: string[] } {
  const metrics = createMetrics(checkSpec);
  metrics.histogram('http.server.request.duration').record(0.05, okRequest);
  const exposed = metrics.serialize('application/openmetrics-text');
  const capture = captureLines();
  const log = createEventLogger(checkSpec, { destination: capture.destination });
  log.event('cache.evicted', { keys: 3 });
  log.event('cache.evicted', { keys: 4 });
  return { body: exposed.body, contentType: exposed.contentType, lines: capture.raw };
}

// The service: serves /metrics on PORT, writes its event lines to stdout, and on SIGTERM posts an
// (empty) OTLP request to OTEL_EXPORTER_OTLP_ENDPOINT, as an SDK's last flush does, then exits
// with TERM_CODE. CRASH_AFTER_MS: exits on its own with CRASH_CODE. IGNORE_TERM: ignores SIGTERM.
const SERVICE = `
import { createServer } from 'node:http';
const { body, contentType, lines } = JSON.parse(process.env.TELEMETRY);
const server = createServer((req, res) => res.writeHead(200, { 'content-type': contentType }).end(body));
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  for (const line of lines) process.stdout.write(line.endsWith('\\n') ? line : line + '\\n');
  process.stderr.write('service up\\n');
});
if (process.env.CRASH_AFTER_MS) setTimeout(() => process.exit(Number(process.env.CRASH_CODE)), Number(process.env.CRASH_AFTER_MS));
process.on('SIGTERM', async () => {
  if (process.env.IGNORE_TERM) return;
  await fetch(process.env.OTEL_EXPORTER_OTLP_ENDPOINT + '/v1/traces', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}',
  });
  process.exit(Number(process.env.TERM_CODE ?? 0));
});
`;

interface Run {
  code: number;
  stderr: string;
  report: LiveCheckReport;
}

async function checkOwning(env: Record<string, string>, extraFlags: string[] = []): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'check-owned-'));
  dirs.push(dir);
  const script = join(dir, 'service.mjs');
  await writeFile(script, SERVICE);
  const specPath = join(dir, 'spec.json');
  await writeFile(specPath, JSON.stringify(checkSpec));
  const port = await freePort();
  const otlpPort = await freePort();
  const saved = { ...process.env };
  Object.assign(process.env, env, { PORT: String(port), TELEMETRY: JSON.stringify(conformingTelemetry()) });
  try {
    const { code, stdout, stderr } = await runCli([
      'check',
      'live',
      '--spec',
      specPath,
      '--metrics',
      `http://127.0.0.1:${port}/metrics`,
      '--otlp-listen',
      `127.0.0.1:${otlpPort}`,
      '--duration',
      '2s',
      '--scrape-interval',
      '200ms',
      '--json',
      ...extraFlags,
      '--',
      process.execPath,
      script,
    ]);
    return { code, stderr, report: JSON.parse(stdout) as LiveCheckReport };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('check live -- COMMAND: the check owns the service', () => {
  it('starts it, reads its stdout as the event log, stops it with SIGTERM and receives its last export', async () => {
    const run = await checkOwning({}, ['--logs', '-']);
    expect(run.report.deviations).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.report.observed.logLines).toBe(2);
    expect(run.report.observed.scrapes).toBeGreaterThan(0);
    // The post on SIGTERM reached the check: the endpoint was set, and it was still listening.
    expect(run.report.observed.otlpRequests).toBe(1);
    expect(run.report.observed.service).toMatchObject({ stoppedBy: 'check', exitCode: 0, killed: false });
    expect(run.stderr).toContain('service up');
  });

  it('without --logs -, its output goes to standard error, not into the JSON report', async () => {
    const run = await checkOwning({});
    expect(run.code).toBe(0);
    expect(run.report.observed.logLines).toBe(0);
    expect(run.stderr).toContain('"event":"cache.evicted"');
  });

  it('a service that exits mid-watch is a service-exited deviation naming its exit code, and ends the watch', async () => {
    const run = await checkOwning({ CRASH_AFTER_MS: '700', CRASH_CODE: '3' });
    expect(run.code).toBe(1);
    expect(run.report.deviations.map((d) => [d.kind, d.source])).toEqual([['service-exited', 'service']]);
    expect(run.report.deviations[0]!.subject).toContain('service.mjs');
    expect(run.report.deviations[0]!.detail).toMatch(
      /^exited with code 3 after 0\.\d s, before the watch ended$/,
    );
    expect(run.report.observed.service).toMatchObject({ stoppedBy: 'itself', exitCode: 3 });
    // The watch ended when the service did, not at --duration (2 s).
    expect(run.report.observed.durationMs).toBeLessThan(2_000);
  });

  it('a service whose SIGTERM fails is a deviation too', async () => {
    const run = await checkOwning({ TERM_CODE: '1' });
    expect(run.code).toBe(1);
    expect(run.report.deviations.map((d) => d.detail)).toEqual([
      expect.stringMatching(/^exited with code 1 on SIGTERM after \d+\.\d s: its shutdown failed$/),
    ]);
  });

  it('a service that ignores SIGTERM is killed after the grace and reported', async () => {
    const run = await checkOwning({ IGNORE_TERM: '1' }, ['--stop-timeout', '500ms']);
    expect(run.code).toBe(1);
    expect(run.report.observed.service).toMatchObject({
      signal: 'SIGKILL',
      killed: true,
      stoppedBy: 'check',
    });
    expect(run.report.deviations[0]!.detail).toMatch(/past the grace after SIGTERM: killed/);
  });

  it('a command that cannot be run is bad usage (exit 2), as is -- with nothing after it', async () => {
    const owning = (...command: string[]) =>
      runCli([
        'check',
        'live',
        '--spec',
        'test/fixtures/orders-spec-module.ts',
        '--metrics',
        'http://127.0.0.1:9/metrics',
        '--duration',
        '1s',
        '--',
        ...command,
      ]);
    const missing = await owning('/no/such/service');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot run \/no\/such\/service: .*ENOENT/);
    const empty = await owning();
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--: expected the command of the service to start after it');
  });
});
