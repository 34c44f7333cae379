// Blueprint throughput at saturation with plumbline on (createTelemetry over the blueprint
// spec) against off (no-op telemetry), same run, same dependencies: closed-loop clients keep
// the service busy and accepted requests per second are compared. Target: on >= 0.95x off (the
// issue 24 goal). On and off alternate within each of 5 rounds; the row is the median of the per-round
// ratios with their spread, since single rounds on a shared machine swing by tens of percent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDependency } from '../examples/blueprint/dependency-server.js';
import {
  createNoopTelemetry,
  openTelemetry,
  type TelemetryPort,
} from '../examples/blueprint/telemetry-port.js';
import { median, saturate, startBenchBlueprint } from './blueprint-harness.js';
import type { BenchRow } from './harness.js';

const CLIENTS = 64;
const ROUND_MS = 2_000;
const ROUNDS = 5;

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
        const perSecond = await saturateWith(
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
  const ratios = throughput.on.map((perSecond, i) => perSecond / throughput.off[i]!);
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  return [
    {
      name: 'blueprint accepted requests at saturation, plumbline on',
      ns_per_op: Math.round(1e9 / on),
      baseline: 'plumbline off (no-op telemetry)',
      baseline_ns_per_op: Math.round(1e9 / off),
      // A throughput row: the median of the rounds' on / off requests per second.
      ratio: round3(median(ratios)),
      spread: [round3(Math.min(...ratios)), round3(Math.max(...ratios))],
      rounds: ROUNDS,
      target: '>= 0.95',
    },
  ];
}

/** Accepted requests per second at saturation, for one telemetry. */
async function saturateWith(telemetry: TelemetryPort, depUrls: string[], dbPath: string): Promise<number> {
  const service = await startBenchBlueprint(telemetry, depUrls, dbPath);
  const perSecond = await saturate(service, CLIENTS, ROUND_MS);
  await service.drain();
  return perSecond;
}
