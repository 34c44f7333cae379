// Regression: `check live` as a deploy or CI gate passed a service that crashed mid-watch: the
// scrapes after its last good one were refused, which the check counts as the service stopping
// (checkUnderLoad's load, a CLI run that outlasts it), so the report said "no deviation", ok: true,
// and only `observed.scrapeFailures` knew. `requireUp` (CLI `--require-up`) now says the service
// must answer until the end: those scrapes are an input-failed deviation and the CLI exits 1.
// Without it nothing changes. Real parts: a node:http server on 127.0.0.1 serving plumbline's own
// exposition, closed mid-watch; the check over HTTP; the CLI as a process.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { createMetrics } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { checkSpec, okRequest } from '../check/check-spec.js';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const metrics = createMetrics(checkSpec);
metrics.histogram('http.server.request.duration').record(0.05, okRequest);
const good: RequestListener = (req, res) => {
  const exposed = metrics.serialize(req.headers.accept);
  res.writeHead(200, { 'content-type': exposed.contentType }).end(exposed.body);
};

async function serve(): Promise<{ url: string; crash: () => Promise<void> }> {
  const server = createServer(good);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    crash: async () => {
      servers.splice(servers.indexOf(server), 1);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Two good scrapes (start, one asked for), the service gone, two refused (one asked for, finish). */
async function crashedMidWatch(requireUp: boolean | undefined) {
  const { url, crash } = await serve();
  const check = await startLiveCheck({
    spec: checkSpec,
    metricsUrl: url,
    scrapeIntervalMs: 60_000,
    ...(requireUp === undefined ? {} : { requireUp }),
  });
  await check.scrape();
  await crash();
  await check.scrape();
  return { url, report: await check.finish() };
}

it('with requireUp, a service gone before the end is an input-failed deviation', async () => {
  const { url, report } = await crashedMidWatch(true);
  expect(report.observed).toMatchObject({ scrapes: 2, scrapeFailures: 2 });
  expect(report.ok).toBe(false);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} ${d.count}`)).toEqual([
    `input-failed ${url} 2`,
  ]);
  expect(report.deviations[0]!.detail).toMatch(/^2 of 4 scrapes failed \(last: .*ECONNREFUSED/);
});

it('without it (the default), the same run passes as a service stopped within the watch', async () => {
  for (const requireUp of [undefined, false]) {
    const { report } = await crashedMidWatch(requireUp);
    expect(report.observed).toMatchObject({ scrapes: 2, scrapeFailures: 2 });
    expect(report.deviations).toEqual([]);
    expect(report.ok).toBe(true);
  }
});

it('the CLI: --require-up exits 1 for a service that crashed mid-watch; without it, 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plumbline-require-up-'));
  dirs.push(dir);
  const specPath = join(dir, 'spec.json');
  await writeFile(specPath, JSON.stringify(checkSpec));
  const run = async (flags: string[]) => {
    const { url, crash } = await serve();
    // The watch lasts 3 s with a scrape every 200 ms; the service goes after about 1 s.
    setTimeout(() => void crash(), 1000).unref();
    return runCli([
      'check',
      'live',
      '--spec',
      specPath,
      '--metrics',
      url,
      '--duration',
      '3s',
      '--scrape-interval',
      '200ms',
      ...flags,
    ]);
  };
  const required = await run(['--require-up']);
  expect(required.code).toBe(1);
  expect(required.stdout).toMatch(/input-failed/);
  const plain = await run([]);
  expect(plain.code).toBe(0);
});
