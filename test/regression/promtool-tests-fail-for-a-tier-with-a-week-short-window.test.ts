// Regression (generate-edges hunt): a tier whose short window is a week or more (a legal
// `alerting: { monthly: { severity: 'ticket', burnRate: 1, longWindow: '30d', shortWindow: '7d' } }`)
// got a "monthly resolves once its 7d window is clean" scenario of 10111 one-minute samples per
// series, and `promtool test rules` loads at most 10 000 samples per query (its test engine's
// MaxSamples): the SLO file FAILED ("query processing would load too many samples into memory in
// query execution", on the rate7d and rate30d rules at 166h38m), after a minute and a quarter of
// CPU. A recovery that needs more than 9999 minutes is now left out of the test file, which says
// so in its header; every other scenario of the tier stays. Real parts: promtool over the
// generated files.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePromtoolFiles } from '../../src/generate/rules/promtool-tests.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

const spec = {
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: {
    orders: {
      description: 'Orders succeed.',
      objective: 99.9,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
      alerting: { monthly: { severity: 'ticket', burnRate: 0.5, longWindow: '30d', shortWindow: '7d' } },
    },
  },
} as const satisfies TelemetrySpec;

let dir: string;
let files: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-week-window-'));
  files = generatePromtoolFiles(spec);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const testFile = 'promtool/shop-slo/orders.test.yaml';

describe('a tier with a week-long short window', () => {
  it('gets promtool tests that promtool passes', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      peerBinary('promtool'),
      ['test', 'rules', 'orders.test.yaml'],
      { cwd: join(dir, 'promtool', 'shop-slo'), maxBuffer: 16 << 20 },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    expect(stdout + stderr, stdout + stderr).toContain('SUCCESS');
    expect(stdout + stderr).not.toContain('FAILED');
  }, 300_000);

  it('leaves out only the recovery promtool cannot load, and says so', () => {
    const text = files[testFile]!;
    const names = (parse(text) as { tests: { name: string }[] }).tests.map((test) => test.name);
    expect(names).not.toContain('orders: monthly resolves once its 7d window is clean');
    for (const kept of [
      'orders: monthly burn fires ticket, faster tiers stay quiet',
      'orders: monthly stays quiet just under 0.5x',
      'orders: monthly fires just over 0.5x',
    ])
      expect(names).toContain(kept);
    expect(text).toMatch(/^# Not tested: "monthly" resolving .*7d.*10000 samples/m);
  });

  it('keeps every recovery of up to 9000 minutes (30 + 8969 + 1), with a margin below the limit', () => {
    const names = (shortWindow: string) => {
      const edge = { severity: 'ticket', burnRate: 0.9, longWindow: '7d', shortWindow } as const;
      const text = generatePromtoolFiles({
        ...spec,
        slos: { orders: { ...spec.slos.orders, alerting: { edge } } },
      })[testFile]!;
      return (parse(text) as { tests: { name: string }[] }).tests.map((test) => test.name);
    };
    expect(names('8969m')).toContain('orders: edge resolves once its 8969m window is clean');
    expect(names('8970m')).not.toContain('orders: edge resolves once its 8970m window is clean');
    // The default tiers' slowest recovery (ticket-slow, 6h) is far from it.
    expect(names('6h')).toContain('orders: edge resolves once its 6h window is clean');
  });
});
