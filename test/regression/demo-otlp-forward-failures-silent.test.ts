// Regression: with OTEL_EXPORTER_OTLP_ENDPOINT set, `npm run demo` forwards everything the three
// services export (through its relay, which answers them itself) to that endpoint, and a failed
// forward was counted in a field nothing read: a collector that was down (ECONNREFUSED), or that
// wanted the API key of OTEL_EXPORTER_OTLP_HEADERS (which the relay did not send on: every
// forward answered 401), lost the whole run's telemetry with no word and exit 0 (10 of 10 requests
// failed, 0 lines said so). The live summary and the final report now say how many requests went
// upstream and how many failed, with why; the relay sends the OTEL_EXPORTER_OTLP_HEADERS headers,
// and waits for the forwards under way before the demo exits.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const KEY = 'k=1/2';

/** An OTLP/HTTP endpoint that wants `api-key: KEY`, counting requests by answer. */
let upstream: Server;
let upstreamUrl = '';
const answered = { ok: 0, refused: 0 };

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const ok = req.headers['api-key'] === KEY;
      answered[ok ? 'ok' : 'refused']++;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

function demo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'examples/blueprint/demo.ts', '--duration', '4', '--rate', '50'],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  return new Promise((r) => child.once('exit', (code) => r({ code, output })));
}

const finalReport = (output: string) => output.slice(output.indexOf('== final report =='));

describe('npm run demo with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('names a collector that is down in the final report', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const run = await demo({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(run.code, run.output).toBe(0);
    expect(finalReport(run.output)).toMatch(
      new RegExp(
        `^otlp {7}sent ([1-9]\\d*) requests to http://127\\.0\\.0\\.1:${port}: \\1 FAILED \\(last: ECONNREFUSED\\)$`,
        'm',
      ),
    );
  }, 90_000);

  it('sends the OTEL_EXPORTER_OTLP_HEADERS headers upstream, and says a refusal', async () => {
    const withKey = await demo({
      OTEL_EXPORTER_OTLP_ENDPOINT: upstreamUrl,
      OTEL_EXPORTER_OTLP_HEADERS: `api-key=${encodeURIComponent(KEY)}`,
    });
    expect(withKey.code, withKey.output).toBe(0);
    const sent = /^otlp {7}sent (\d+) requests to \S+: all answered$/m.exec(finalReport(withKey.output));
    expect(sent, finalReport(withKey.output)).not.toBeNull();
    // Every request the relay sent was answered 200 before the demo exited, none refused.
    expect(answered).toEqual({ ok: Number(sent![1]), refused: 0 });
    expect(answered.ok).toBeGreaterThan(0);

    const withoutKey = await demo({
      OTEL_EXPORTER_OTLP_ENDPOINT: upstreamUrl,
      OTEL_EXPORTER_OTLP_HEADERS: '',
    });
    expect(finalReport(withoutKey.output)).toMatch(
      /^otlp {7}sent ([1-9]\d*) requests to \S+: \1 FAILED \(last: HTTP 401\)$/m,
    );
    expect(answered.refused).toBeGreaterThan(0);
  }, 120_000);
});
