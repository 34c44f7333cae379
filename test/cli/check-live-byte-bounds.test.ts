// `plumbline check live --max-scrape-bytes / --max-otlp-body-bytes`: the check's body bounds
// (maxScrapeBytes, maxOtlpBodyBytes) from the command line. Real parts: a node:http /metrics on
// 127.0.0.1 scraped by the CLI, and a real OTLP POST to the check's listener.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseByteSize } from '../../src/cli/check.js';
import { runCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/process.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function specFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plumbline-bounds-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'spec.json');
  await writeFile(path, JSON.stringify({ service: { name: 'minimal' }, events: {} }));
  return path;
}

/** A /metrics answering a valid OpenMetrics body of about `bytes` bytes. */
async function metrics(bytes: number): Promise<string> {
  const body = `# HELP pad ${'x'.repeat(bytes)}\n# TYPE pad gauge\npad 1\n# EOF\n`;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('check live byte bounds from the command line', () => {
  it('--max-scrape-bytes fails a scrape past it; the same body passes the default', async () => {
    const spec = await specFile();
    const url = await metrics(4096);
    const args = ['check', 'live', '--spec', spec, '--metrics', url, '--duration', '300ms', '--json'];
    const bounded = await runCli([...args, '--max-scrape-bytes', '1KiB']);
    expect(bounded.code).toBe(1);
    expect(bounded.stdout).toContain('body larger than 1024 bytes (maxScrapeBytes)');
    const unbounded = await runCli(args);
    expect(unbounded.stdout).not.toContain('body larger than');
  });

  it('--max-otlp-body-bytes answers a larger OTLP request 413', async () => {
    const spec = await specFile();
    const url = await metrics(10);
    const port = await freePort();
    const running = runCli([
      'check',
      'live',
      '--spec',
      spec,
      '--metrics',
      url,
      '--otlp-listen',
      `127.0.0.1:${port}`,
      '--duration',
      '2s',
      '--max-otlp-body-bytes',
      '512',
      '--json',
    ]);
    const post = () =>
      fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceLogs: [], pad: 'x'.repeat(2048) }),
      }).then((response) => response.status);
    const status = await waitFor('the check listening', () => post().catch(() => undefined), 2000, 50);
    expect(status).toBe(413);
    const { code, stdout } = await running;
    expect(code).toBe(1);
    expect(stdout).toContain('input-failed');
  });

  it('refuses a bound that is not a size (exit 2, naming the flag)', async () => {
    const spec = await specFile();
    for (const bad of ['0', '1.5MiB', '12MB', 'lots']) {
      const { code, stderr } = await runCli([
        'check',
        'live',
        '--spec',
        spec,
        '--metrics',
        'http://127.0.0.1:1/metrics',
        '--max-scrape-bytes',
        bad,
      ]);
      expect(code).toBe(2);
      expect(stderr).toContain(`--max-scrape-bytes: expected a whole number of bytes`);
    }
  });

  it('reads sizes in bytes, KiB, MiB and GiB', () => {
    expect([
      parseByteSize('1048576'),
      parseByteSize('512KiB'),
      parseByteSize('64MiB'),
      parseByteSize('1GiB'),
    ]).toEqual([1048576, 524288, 67108864, 1073741824]);
    expect(parseByteSize('0')).toBeUndefined();
  });
});
