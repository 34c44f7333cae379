// Secrets never leave the blueprint: the process runs with real tenant tokens (from the
// environment and from a 0600 file), takes good, bad-token and invalid traffic, exports every span,
// metric and log record over OTLP to a local server that records the bodies, and then everything
// it wrote — event log, security log, SQLite store, /metrics in both formats, OTLP bodies, its own
// stdout/stderr — is scanned: no token and no authorization header value appears anywhere.
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';
import { blueprintToml, startBlueprintProcess, startDependencies } from '../support/blueprint.js';
import { freePort, waitFor, type RunningProcess } from '../support/process.js';

const ENV_TOKEN = 'env-token-7f3a9c1e5b2d4f6a8c0e';
const FILE_TOKEN = 'file-token-1b3d5f7a9c2e4a6c8e0f';
const WRONG_PREFIX = 'Bearer not-the-token-';

let dir: string;
let deps: DependencyServer[] = [];
let blueprint: RunningProcess | undefined;
let receiver: Server | undefined;
const otlpBodies: { path: string; body: Buffer }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-secrets-'));
  deps = await startDependencies();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      otlpBodies.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await blueprint?.stop('SIGKILL');
  await new Promise((resolve) => receiver?.close(resolve));
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets scan', () => {
  it('no tenant token or authorization value in any log, store, metric or exported span', async () => {
    const port = await freePort();
    const adminPort = await freePort();
    const tokenFile = join(dir, 'analytics.token');
    writeFileSync(tokenFile, `${FILE_TOKEN}\n`);
    chmodSync(tokenFile, 0o600);
    writeFileSync(
      join(dir, 'blueprint.toml'),
      blueprintToml({
        dbPath: 'events.db',
        deps,
        service: { listen: `127.0.0.1:${port}` },
        admin: { listen: `127.0.0.1:${adminPort}` },
        storage: { min_batch: 5 },
        tenants: {
          checkout: { class: 'latency-sensitive', token_env: 'SCAN_CHECKOUT_TOKEN' },
          analytics: { class: 'best-effort', token_file: 'analytics.token' },
        },
        tables: { security: { log: 'security.ndjson', fold_window_ms: 500 } },
      }),
    );
    const { address } = receiver!.address() as { address: string };
    const proc = await startBlueprintProcess(join(dir, 'blueprint.toml'), {
      log: join(dir, 'events.ndjson'),
      env: {
        ...process.env,
        SCAN_CHECKOUT_TOKEN: ENV_TOKEN,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${address}:${(receiver!.address() as { port: number }).port}`,
        // Every span exported, not only the ones the tail sampler would keep.
        PLUMBLINE_TAIL_SAMPLING: 'off',
      },
      started: (p) => {
        blueprint = p;
      },
    });

    const load = new LoadGenerator({
      url: `http://127.0.0.1:${port}`,
      tenants: [
        { name: 'checkout', weight: 1, token: ENV_TOKEN },
        { name: 'analytics', weight: 1, token: FILE_TOKEN },
      ],
      ratePerSecond: 150,
      eventsPerRequest: [1, 3],
      invalidFraction: 0.1,
      badTokenFraction: 0.2,
    });
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await load.stop();
    // A token sent in the wrong header, and the right token for the wrong tenant.
    const misplaced = await fetch(`http://127.0.0.1:${port}/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-tenant': 'checkout',
        authorization: `Bearer ${FILE_TOKEN}`,
      },
      body: JSON.stringify({ type: 'page.viewed', payload: { note: 'no secret here' } }),
    });
    expect(misplaced.status).toBe(401);
    expect(load.stats.byStatus[202]).toBeGreaterThan(50);
    expect(load.stats.byStatus[401]).toBeGreaterThan(10);

    const metricsText = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const openMetrics = await (
      await fetch(`http://127.0.0.1:${adminPort}/metrics`, {
        headers: { accept: 'application/openmetrics-text' },
      })
    ).text();
    expect(metricsText).toMatch(
      /plumbline_security_events_total\{event="auth\.failed",outcome="wrong_token"\} \d+/,
    );
    // SIGTERM flushes spans, metrics, logs and the last security summaries.
    expect(await proc.stop('SIGTERM'), proc.output()).toBe(0);
    await waitFor('OTLP traces, metrics and logs', () => {
      const paths = new Set(otlpBodies.map((b) => b.path));
      return ['/v1/traces', '/v1/metrics', '/v1/logs'].every((p) => paths.has(p)) ? true : undefined;
    });

    const written: { what: string; text: string }[] = [
      { what: 'process output', text: proc.output() },
      { what: '/metrics', text: metricsText },
      { what: '/metrics (OpenMetrics)', text: openMetrics },
      ...otlpBodies.map((b) => ({ what: `OTLP ${b.path}`, text: b.body.toString('latin1') })),
      ...readdirSync(dir)
        .filter((name) => name !== 'blueprint.toml' && name !== 'analytics.token')
        .map((name) => ({ what: name, text: readFileSync(join(dir, name)).toString('latin1') })),
    ];
    // The scan sees real content: the store, both logs and the spans name the tenants.
    const all = written.map((w) => w.text).join('\n');
    for (const expected of ['events.ndjson', 'security.ndjson', 'events.db'])
      expect(written.map((w) => w.what)).toContain(expected);
    expect(written.find((w) => w.what === 'security.ndjson')!.text).toContain('"auth.failed"');
    expect(
      written
        .filter((w) => w.what === 'OTLP /v1/traces')
        .map((w) => w.text)
        .join(''),
    ).toContain('checkout');
    expect(all).toContain('page.viewed');

    for (const { what, text } of written) {
      expect(text.includes(ENV_TOKEN), `${what} holds the env token`).toBe(false);
      expect(text.includes(FILE_TOKEN), `${what} holds the file token`).toBe(false);
      expect(text.includes(WRONG_PREFIX.slice(7)), `${what} holds a wrong token value`).toBe(false);
      expect(/bearer /i.test(text), `${what} holds an authorization value`).toBe(false);
    }
  });
});
