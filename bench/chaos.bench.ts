// Chaos off must cost nothing on the request path. The hooks are chosen once at startup, so with
// chaos off the service calls the plain functions: this compares the parse step as the service
// runs it (through the hook) with parseEvents called directly (a build without the hook), same
// run. A second row shows what the `kill` profile costs the saturated service against chaos off
// (informational: a killed dependency call also costs its keep-alive socket).
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parserFor } from '../examples/blueprint/chaos.js';
import { startDependency } from '../examples/blueprint/dependency-server.js';
import { parseEvents } from '../examples/blueprint/event-validation.js';
import { createNoopTelemetry } from '../examples/blueprint/telemetry-port.js';
import { median, saturate, startBenchBlueprint } from './blueprint-harness.js';
import { measure, row, type BenchRow } from './harness.js';

const CLIENTS = 64;
const ROUND_MS = 1_500;
const ROUNDS = 3;

export async function run(): Promise<BenchRow[]> {
  const limits = { maxEventsPerRequest: 100, maxDepth: 8 };
  const body = JSON.stringify([
    { type: 'page.viewed', id: 'e-1', user: 'u-1', timestamp: 1, payload: { path: '/a', ms: 12 } },
    { type: 'page.viewed', id: 'e-2', user: 'u-2', payload: { path: '/b' } },
  ]);
  const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  const hooked = parserFor(undefined);
  let sink = 0;
  // Interleaved rounds, medians: the two are the same function, so the ratio is the noise.
  const direct: number[] = [];
  const viaHook: number[] = [];
  for (let i = 0; i < 3; i++) {
    direct.push(await measure(() => (sink += parseEvents(body, limits).ok ? 1 : 0), { iterations: 20_000 }));
    viaHook.push(
      await measure(() => (sink += hooked(body, limits, span).ok ? 1 : 0), { iterations: 20_000 }),
    );
  }
  if (sink === 0) throw new Error('unreachable');

  const dir = mkdtempSync(join(tmpdir(), 'chaos-bench-'));
  const deps = await Promise.all(
    ['geo', 'profile'].map((name) => startDependency(name, { faults: { latencyMs: 0, jitterMs: 0 } })),
  );
  const throughput = { off: [] as number[], kill: [] as number[] };
  try {
    for (let round = -1; round < ROUNDS; round++) {
      for (const mode of ['off', 'kill'] as const) {
        const perSecond = await saturateWith(
          mode,
          deps.map((d) => d.url),
          join(dir, `${mode}-${round}.db`),
        );
        if (round >= 0) throughput[mode].push(perSecond);
      }
    }
  } finally {
    await Promise.all(deps.map((d) => d.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  const off = median(throughput.off);
  const kill = median(throughput.kill);
  return [
    row(
      'blueprint parse step, chaos off (hook chosen at startup)',
      median(viaHook),
      'parseEvents called directly (no hook)',
      median(direct),
      '<= 1.05',
    ),
    {
      name: 'blueprint accepted requests at saturation, chaos profile kill (10% tasks killed)',
      ns_per_op: Math.round(1e9 / kill),
      baseline: 'chaos off',
      baseline_ns_per_op: Math.round(1e9 / off),
      ratio: Math.round((kill / off) * 1000) / 1000,
      target: 'informational (no target)',
    },
  ];
}

async function saturateWith(mode: 'off' | 'kill', depUrls: string[], dbPath: string): Promise<number> {
  const service = await startBenchBlueprint(
    createNoopTelemetry(),
    depUrls,
    dbPath,
    `[chaos]\nprofile = "${mode}"\n`,
  );
  const perSecond = await saturate(service, CLIENTS, ROUND_MS);
  await service.drain();
  return perSecond;
}
