// Regression: the TracerProvider sample of docs/sampling.md ("Configure") typechecked and ran, and
// its tail sampler kept the trace (`baseline: { keep: 1 }`), but the process ended with the span
// still in the BatchSpanProcessor's batch: run as shown with OTEL_EXPORTER_OTLP_ENDPOINT at a
// receiver, 0 of 1 kept traces were posted. The sample now shuts the provider down at exit. It is
// run here as a newcomer runs it (only `plumbline` resolved to this repository's sources) against
// a node:http receiver, and the kept span must arrive.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess } from '../support/process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
// Under node_modules, so the sample resolves tsx and the OpenTelemetry packages as an app would.
const DIR = mkdtempSync(join(ROOT, 'node_modules', '.docs-sampling-sample-'));

/** The first ts block under `### Configure` in docs/sampling.md. */
function configureSample(): string {
  const page = readFileSync(join(ROOT, 'docs', 'sampling.md'), 'utf8');
  const block = /^### Configure\n[\s\S]*?^```ts\n([\s\S]*?)\n```/m.exec(page)?.[1];
  if (block === undefined) throw new Error('docs/sampling.md has no ts block under "### Configure"');
  return block;
}

let receiver: Server;
let endpoint: string;
const posts: { path: string; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((done) => receiver.listen(port, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise((done) => receiver.close(done));
  rmSync(DIR, { recursive: true, force: true });
});

describe('docs/sampling.md TracerProvider sample, run as shown', () => {
  it('exports the trace its tail sampler kept before the process ends', async () => {
    const sample = configureSample();
    expect(sample).toContain('new OTLPTraceExporter()');
    const file = join(DIR, 'sampling-sample.mts');
    writeFileSync(
      file,
      sample.replace("from 'plumbline'", `from '${pathToFileURL(join(ROOT, 'src', 'index.ts')).href}'`),
    );
    const app = startProcess(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    });
    const exited = await new Promise<number | null>((done) => app.child.once('exit', (code) => done(code)));
    expect(exited, app.output()).toBe(0);
    // What the sample prints: the budget kept the one trace.
    expect(app.output()).toMatch(/baseline: \{ keep: 1, drop: 0 \}/);
    const traces = posts.filter((post) => post.path === '/v1/traces');
    expect(
      traces.map((post) => post.body).join('\n'),
      `posts: ${posts.map((post) => post.path).join(', ')}; output: ${app.output()}`,
    ).toContain('"name":"GET /orders"');
  }, 60_000);
});
