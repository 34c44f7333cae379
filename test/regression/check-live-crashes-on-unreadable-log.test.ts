// Regression: a --logs path that opens but cannot be read (a directory: open succeeds, read fails
// with EISDIR) crashed `plumbline check live`: the follower's read rejected inside its polling
// chain, which nothing caught, so the process died of an unhandled rejection and printed no
// report. The read failure is now the follower's error, reported like a file that cannot be
// opened: `input-failed … cannot read …`, with the rest of the report. Real parts: the CLI in this
// process, a real directory as the log, a real /metrics over node:http on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LiveCheckReport } from '../../src/check/index.js';
import { createTelemetry } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { runCli } from '../support/cli.js';

const SPEC = 'test/fixtures/orders-spec-module.ts';
const dir = mkdtempSync(join(tmpdir(), 'check-live-unreadable-'));
const telemetry = createTelemetry(ordersSpec, { tailSampling: false, registerGlobal: false });
const server: Server = createServer((req, res) => telemetry.metricsHandler(req, res));
let metricsUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await telemetry.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

it('a --logs path that opens and cannot be read is an input-failed deviation, with the report', async () => {
  const result = await runCli([
    'check',
    'live',
    '--spec',
    SPEC,
    '--metrics',
    metricsUrl,
    '--logs',
    dir,
    '--duration',
    '500ms',
    '--scrape-interval',
    '200ms',
    '--json',
  ]);
  expect(result.stdout, result.stderr).not.toBe('');
  const report = JSON.parse(result.stdout) as LiveCheckReport;
  expect(result.code).toBe(1);
  expect(report.observed.scrapes).toBeGreaterThan(0);
  const logs = report.deviations.filter((d) => d.source === 'logs');
  expect(logs.map((d) => `${d.kind} ${d.subject}`)).toEqual([`input-failed ${dir}`]);
  expect(logs[0]!.detail).toMatch(/^cannot read .*: EISDIR/);
});
