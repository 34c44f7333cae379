// Blueprint throughput at saturation with plumbline on (createTelemetry over the blueprint
// spec) against off (no-op telemetry), same run, same dependencies: closed-loop clients keep
// the service busy and accepted requests per second are compared. Target: on >= 0.9x off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../examples/blueprint/config.js';
import { startDependency } from '../examples/blueprint/dependency-server.js';
import { LoadGenerator } from '../examples/blueprint/loadgen.js';
import { startBlueprint } from '../examples/blueprint/service.js';
import {
  createNoopTelemetry,
  openTelemetry,
  type TelemetryPort,
} from '../examples/blueprint/telemetry-port.js';
import type { BenchRow } from './harness.js';

const CLIENTS = 64;
const ROUND_MS = 2_000;
const ROUNDS = 3;

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'blueprint-bench-'));
  const deps = await Promise.all(
    ['geo', 'profile'].map((name) => startDependency(name, { faults: { latencyMs: 0, jitterMs: 0 } })),
  );
  const throughput = { off: [] as number[], on: [] as number[] };
  try {
    // Round -1 warms the JIT and the sockets and is not counted (the first round ran ~2x slower).
    for (let round = -1; round < ROUNDS; round++) {
      for (const mode of ['off', 'on'] as const) {
        const telemetry =
          mode === 'off'
            ? createNoopTelemetry()
            : await openTelemetry({ logDestination: join(dir, `log-${round}.ndjson`) });
        const perSecond = await saturate(
          telemetry,
          deps.map((d) => d.url),
          join(dir, `${mode}-${round}.db`),
        );
        if (round >= 0) throughput[mode].push(perSecond);
        if (process.env.BENCH_VERBOSE)
          process.stderr.write(`${mode} round ${round}: ${perSecond.toFixed(0)} req/s\n`);
        await telemetry.shutdown();
      }
    }
  } finally {
    await Promise.all(deps.map((d) => d.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  const off = median(throughput.off);
  const on = median(throughput.on);
  return [
    {
      name: 'blueprint accepted requests at saturation, plumbline on',
      ns_per_op: Math.round(1e9 / on),
      baseline: 'plumbline off (no-op telemetry)',
      baseline_ns_per_op: Math.round(1e9 / off),
      // A throughput row: on / off requests per second.
      ratio: Math.round((on / off) * 1000) / 1000,
      target: '>= 0.9',
    },
  ];
}

/** Accepted requests per second with CLIENTS closed-loop clients for ROUND_MS. */
async function saturate(telemetry: TelemetryPort, depUrls: string[], dbPath: string): Promise<number> {
  const config = parseConfig(`
[service]
listen = "127.0.0.1:0"
[storage]
path = "${dbPath}"
[dependencies.geo]
url = "${depUrls[0]}"
[dependencies.profile]
url = "${depUrls[1]}"
[tenants.checkout]
class = "latency-sensitive"
queue_bound = 100000
`);
  const service = await startBlueprint(config, telemetry);
  const load = new LoadGenerator({
    url: service.url,
    tenants: [{ name: 'checkout', weight: 1 }],
    ratePerSecond: 0,
    connections: CLIENTS,
  });
  const body = JSON.stringify([
    { type: 'page.viewed', user: 'u1', payload: { path: '/a' } },
    { type: 'page.viewed', user: 'u2' },
  ]);
  const warmUntil = Date.now() + 300;
  while (Date.now() < warmUntil)
    await Promise.all(Array.from({ length: CLIENTS }, () => load.send('checkout', body)));
  const before = load.stats.byStatus[202] ?? 0;
  const started = performance.now();
  const end = Date.now() + ROUND_MS;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < end) await load.send('checkout', body);
    }),
  );
  const accepted = (load.stats.byStatus[202] ?? 0) - before;
  const perSecond = (accepted * 1000) / (performance.now() - started);
  await load.stop();
  await service.drain();
  return perSecond;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
