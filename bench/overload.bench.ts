// The blueprint under overload, as its own process at the red-team setting (2 enrichment workers,
// 20 ms dependencies: capacity about 100 requests/s), floods from their own process:
//   (a) stored throughput at an even 5x overload against closed-loop saturation, interleaved
//       rounds (target >= 0.8x), and the accepted p99 at 5x against the 250 ms deadline;
//   (b) checkout's p99 at 0.5x beside analytics (best-effort) at 4.5x, and beside 1 MiB bodies,
//       against checkout alone, interleaved rounds (target <= 1.25x).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadGenerator, sampleQuantile } from '../examples/blueprint/loadgen.js';
import { startDependencies } from '../test/support/blueprint.js';
import {
  OVERLOAD_TOKEN_ENV,
  startFloodProcess,
  startOverloadedBlueprint,
  tenantLoad,
} from '../test/support/overload.js';
import type { RunningProcess } from '../test/support/process.js';
import type { BenchRow } from './harness.js';

const TOKEN = 'overload-bench-token-0123456789';
const WORKERS = 2;
const DEPENDENCY_MS = 20;
const CAPACITY = (WORKERS * 1000) / DEPENDENCY_MS;
const DEADLINE_MS = 250;
const ROUNDS = 5;
const PHASE_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(): Promise<BenchRow[]> {
  process.env[OVERLOAD_TOKEN_ENV] = TOKEN;
  const dir = mkdtempSync(join(tmpdir(), 'overload-bench-'));
  const deps = await startDependencies({ latencyMs: DEPENDENCY_MS, jitterMs: 0 });
  const processes: RunningProcess[] = [];
  const start = async (name: string): Promise<string> =>
    (
      await startOverloadedBlueprint({
        dir,
        name,
        deps,
        workers: WORKERS,
        deadlineMs: DEADLINE_MS,
        started: (p) => processes.push(p),
      })
    ).url;
  const flood = (url: string, tenant: string, rate: number, kind: 'small' | 'bulk') =>
    startFloodProcess(url, tenant, rate, kind, (p) => processes.push(p));
  const open = (url: string, tenant: string, rate: number) => tenantLoad(url, tenant, TOKEN, rate);
  try {
    // (a) Interleaved: saturation (closed loop, 8 clients per tenant) then an even 5x open-loop flood.
    const urlA = await start('even');
    const saturated: number[] = [];
    const overloaded: number[] = [];
    const acceptedP99: number[] = [];
    const fastShed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const closed = new LoadGenerator({
        url: urlA,
        tenants: [{ name: 'checkout', weight: 1, token: TOKEN }],
        ratePerSecond: 0,
        connections: 8,
      });
      const body = JSON.stringify({ type: 'page.viewed', user: 'u1' });
      const until = Date.now() + PHASE_MS;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (Date.now() < until) await closed.send('checkout', body);
        }),
      );
      await closed.stop();
      saturated.push(((closed.stats.byStatus[202] ?? 0) * 1000) / PHASE_MS);
      const loads = [open(urlA, 'checkout', 2.5 * CAPACITY), open(urlA, 'analytics', 2.5 * CAPACITY)];
      await sleep(PHASE_MS);
      await Promise.all(loads.map((l) => l.stop()));
      overloaded.push((loads.reduce((sum, l) => sum + (l.stats.byStatus[202] ?? 0), 0) * 1000) / PHASE_MS);
      acceptedP99.push(
        sampleQuantile(
          loads.flatMap((l) => l.stats.acceptedLatencies),
          0.99,
        ),
      );
      const shed = loads.flatMap((l) => l.stats.shedLatencies);
      fastShed.push(shed.filter((s) => s < 0.01).length / Math.max(1, shed.length));
      await sleep(300);
    }

    // (b) Interleaved: checkout alone, then beside a flood (4.5x small; 0.5x of 1 MiB bodies).
    const classes = async (name: string, rate: number, kind: 'small' | 'bulk') => {
      const url = await start(name);
      const warm = open(url, 'checkout', CAPACITY / 2);
      await sleep(1_000);
      await warm.stop();
      const alone: number[] = [];
      const beside: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const solo = open(url, 'checkout', CAPACITY / 2);
        await sleep(PHASE_MS);
        await solo.stop();
        alone.push(sampleQuantile(solo.stats.acceptedLatencies, 0.99));
        const other = await flood(url, 'analytics', rate, kind);
        await sleep(300);
        const next = open(url, 'checkout', CAPACITY / 2);
        await sleep(PHASE_MS);
        await next.stop();
        await other.stop('SIGTERM');
        beside.push(sampleQuantile(next.stats.acceptedLatencies, 0.99));
      }
      return { alone, beside };
    };
    const small = await classes('classes', 4.5 * CAPACITY, 'small');
    const bulk = await classes('parse-heavy', CAPACITY / 2, 'bulk');

    const median = (xs: readonly number[]) => sampleQuantile(xs, 0.5);
    const ratios = (variant: readonly number[], base: readonly number[]) =>
      variant.map((v, i) => v / base[i]!);
    const row = (
      name: string,
      variant: readonly number[],
      baselineName: string,
      base: readonly number[],
      target: string,
      throughput: boolean,
    ): BenchRow => {
      const perRound = ratios(variant, base);
      const v = median(variant);
      const b = median(base);
      return {
        name,
        ns_per_op: Math.round(throughput ? 1e9 / v : v * 1e9),
        baseline: baselineName,
        baseline_ns_per_op: Math.round(throughput ? 1e9 / b : b * 1e9),
        ratio: Math.round(median(perRound) * 1000) / 1000,
        target,
        spread: [
          Math.round(Math.min(...perRound) * 1000) / 1000,
          Math.round(Math.max(...perRound) * 1000) / 1000,
        ],
        rounds: ROUNDS,
      };
    };
    const deadline = new Array<number>(ROUNDS).fill(DEADLINE_MS / 1000);
    return [
      row(
        'blueprint stored requests/s at an even 5x overload (2 workers, 20 ms deps)',
        overloaded,
        'closed-loop saturation, same process',
        saturated,
        '>= 0.8',
        true,
      ),
      row(
        'blueprint accepted p99 at an even 5x overload',
        acceptedP99,
        'the 250 ms deadline',
        deadline,
        '<= 1',
        false,
      ),
      {
        name: 'blueprint shed answers in under 10 ms at an even 5x overload (share)',
        ns_per_op: 0,
        baseline: 'all shed answers',
        baseline_ns_per_op: 0,
        ratio: Math.round(median(fastShed) * 1000) / 1000,
        target: '>= 0.9',
        spread: [
          Math.round(Math.min(...fastShed) * 1000) / 1000,
          Math.round(Math.max(...fastShed) * 1000) / 1000,
        ],
        rounds: ROUNDS,
      },
      row(
        'blueprint checkout p99 at 0.5x beside analytics (best-effort) at 4.5x',
        small.beside,
        'checkout p99 at 0.5x alone',
        small.alone,
        '<= 1.25',
        false,
      ),
      row(
        'blueprint checkout p99 at 0.5x beside 1 MiB analytics bodies at 0.5x',
        bulk.beside,
        'checkout p99 at 0.5x alone',
        bulk.alone,
        '<= 1.25',
        false,
      ),
    ];
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await Promise.all(deps.map((d) => d.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}
