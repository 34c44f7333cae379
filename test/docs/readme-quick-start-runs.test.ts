// The README's quick start, run as shown, not only typechecked (docs-typescript-samples-do-not-compile
// does that): the block is written to a module whose one change is the port (a free one for
// 8080), started with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a node:http sink, sent requests,
// and stopped with SIGTERM as its last line expects. What its comments promise is checked on what
// it writes: an event line per request carrying the active span's trace_id/span_id, `/metrics` in
// Prometheus text or OpenMetrics with the SLO threshold as a boundary and no exemplar on the fast
// buckets (`minValue: 0.1`), an exit 0 on SIGTERM, and OTLP export of the spans the lines name,
// of the metrics and of the event lines.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
// Under node_modules, so the sample resolves tsx and the OpenTelemetry packages as an app would.
const DIR = mkdtempSync(join(ROOT, 'node_modules', '.docs-quick-start-'));
const LISTEN = ".listen(8080, '127.0.0.1')";

/** The ts block under `## Quick start` in README.md. */
function quickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /^## Quick start\n+```ts\n([\s\S]*?)\n```/m.exec(readme)?.[1];
  if (block === undefined) throw new Error('README.md has no ts block under "## Quick start"');
  return block;
}

interface Post {
  readonly path: string;
  readonly body: string;
}

let sink: Server;
const posts: Post[] = [];
let app: RunningProcess | undefined;
let port: number;

beforeAll(async () => {
  sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const sinkPort = await freePort();
  await new Promise<void>((done) => sink.listen(sinkPort, '127.0.0.1', done));
  port = await freePort();
  const sample = quickStart();
  // The one change: the port. A README that no longer listens this way fails here, by name.
  expect(sample).toContain(LISTEN);
  const file = join(DIR, 'quick-start.mts');
  writeFileSync(
    file,
    sample
      .replace(LISTEN, `.listen(${port}, '127.0.0.1')`)
      .replace("from 'plumbline'", `from '${pathToFileURL(join(ROOT, 'src', 'index.ts')).href}'`),
  );
  app = startProcess(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}` },
  });
  await waitFor(
    `the quick start on port ${port}`,
    async () => {
      if (app!.child.exitCode !== null) throw new Error(`exited: ${app!.output()}`);
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return res.ok ? true : undefined;
    },
    60_000,
  );
}, 90_000);

afterAll(async () => {
  await app?.stop('SIGKILL');
  await new Promise((done) => sink.close(done));
  rmSync(DIR, { recursive: true, force: true });
});

describe('README.md quick start, run as shown', () => {
  it('logs, serves /metrics, exits 0 on SIGTERM and exports OTLP', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/orders`);
      expect(await res.text()).toBe('ok');
    }

    const text = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(text.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const openMetrics = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(openMetrics.headers.get('content-type')).toContain('application/openmetrics-text');
    const exposition = await openMetrics.text();
    // Four requests in all: the readiness probe's and the three above.
    expect(exposition).toContain('http_server_duration_seconds_count{route="/orders"} 4');
    // The SLO's 250 ms threshold is a boundary of the fromSlos plan.
    expect(exposition).toMatch(/^http_server_duration_seconds_bucket\{route="\/orders",le="0\.25"\} \d+$/m);
    // minValue 0.1: no bucket at or below 100 ms keeps an exemplar.
    const fast = exposition
      .split('\n')
      .filter((line) => /^http_server_duration_seconds_bucket\{.*le="0\.0\d*"/.test(line));
    expect(fast.length).toBeGreaterThan(0);
    for (const line of fast) expect(line).not.toContain(' # {');
    expect(exposition.trimEnd().endsWith('# EOF')).toBe(true);

    expect(await app!.stop('SIGTERM')).toBe(0);

    const lines = app!
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toMatchObject({
        level: 'info',
        service: 'orders',
        event: 'order.placed',
        order_id: 'o-1',
        amount: 12.5,
      });
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(new Set(lines.map((line) => line.trace_id)).size).toBe(4);

    // shutdown() flushed every signal to OTEL_EXPORTER_OTLP_ENDPOINT.
    const sent = (path: string) =>
      posts
        .filter((post) => post.path === path)
        .map((post) => post.body)
        .join('\n');
    const traces = sent('/v1/traces');
    for (const line of lines) {
      expect(traces).toContain(`"traceId":"${String(line.trace_id)}"`);
      expect(traces).toContain(`"spanId":"${String(line.span_id)}"`);
    }
    expect(sent('/v1/metrics')).toContain('"name":"http.server.duration"');
    const logs = sent('/v1/logs');
    for (const line of lines) expect(logs).toContain(String(line.trace_id));
  }, 60_000);
});
