// The blueprint as its own process at the red-team setting (2 enrichment workers, 20 ms
// dependencies: about 100 requests/s): under 5x overload it sheds at admission, fast and before
// the body, keeps storing near capacity within the deadline; a best-effort flood does not push
// the latency-sensitive class past its objective; and kill -9 under load loses no accepted event.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { countStoredEvents } from '../../examples/blueprint/event-store.js';
import { sampleQuantile, type LoadGenerator, type LoadStats } from '../../examples/blueprint/loadgen.js';
import { startDependencies } from '../support/blueprint.js';
import {
  OVERLOAD_TOKEN_ENV,
  startFloodProcess,
  startOverloadedBlueprint,
  tenantLoad,
  type OverloadedBlueprint,
} from '../support/overload.js';
import type { RunningProcess } from '../support/process.js';

const TOKEN = 'overload-tenant-token-0123456789';
process.env[OVERLOAD_TOKEN_ENV] = TOKEN;
const DEPENDENCY_LATENCY_MS = 20;
const WORKERS = 2;
const DEADLINE_MS = 250;
/** Requests per second the workers finish: each holds a request for one lookup round. */
const CAPACITY = (WORKERS * 1000) / DEPENDENCY_LATENCY_MS;

let dir: string;
let deps: DependencyServer[] = [];
const running: RunningProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-overload-'));
  deps = await startDependencies({ latencyMs: DEPENDENCY_LATENCY_MS, jitterMs: 0 });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the blueprint on a fresh store; `name` keeps each test's files apart. */
function startOverloaded(name: string): Promise<OverloadedBlueprint> {
  return startOverloadedBlueprint({
    dir,
    name,
    deps,
    workers: WORKERS,
    deadlineMs: DEADLINE_MS,
    started: (p) => running.push(p),
  });
}

const run = (url: string, tenant: string, rate: number): LoadGenerator =>
  tenantLoad(url, tenant, TOKEN, rate);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

function describeStats(stats: LoadStats): string {
  return `sent ${stats.sent}, by status ${JSON.stringify(stats.byStatus)}, by error ${JSON.stringify(stats.byError)}, accepted p50/p99 ${ms(sampleQuantile(stats.acceptedLatencies, 0.5))}/${ms(sampleQuantile(stats.acceptedLatencies, 0.99))}`;
}

describe('blueprint under overload (2 workers, 20 ms dependencies)', () => {
  it('even 5x overload: sheds at admission in under 10 ms, stores >= 0.8x capacity, accepted p99 within the deadline', async () => {
    const { url, db } = await startOverloaded('even');
    // Warm up below capacity, so the service has measured its dependencies.
    const warm = [run(url, 'checkout', CAPACITY / 4), run(url, 'analytics', CAPACITY / 4)];
    await sleep(1_000);
    await Promise.all(warm.map((l) => l.stop()));
    const warmAccepted = warm.reduce((sum, l) => sum + l.stats.acceptedEvents, 0);

    const seconds = 5;
    const loads = [run(url, 'checkout', 2.5 * CAPACITY), run(url, 'analytics', 2.5 * CAPACITY)];
    await sleep(seconds * 1000);
    await Promise.all(loads.map((l) => l.stop()));

    const stats = loads.map((l) => l.stats);
    const report = stats.map(describeStats).join('\n');
    console.log(report);
    const shed = stats.flatMap((s) => s.shedLatencies);
    const accepted = stats.flatMap((s) => s.acceptedLatencies);
    const stored = stats.reduce((sum, s) => sum + (s.byStatus[202] ?? 0), 0);
    const timeouts = stats.reduce((sum, s) => sum + (s.byError.timeout ?? 0), 0);
    const fastShare = shed.filter((s) => s < 0.01).length / shed.length;
    console.log(
      `stored ${(stored / seconds).toFixed(1)} req/s of ${CAPACITY}; shed ${shed.length}, ${(fastShare * 100).toFixed(1)}% in < 10 ms; ${timeouts} timeouts`,
    );
    expect(shed.length, report).toBeGreaterThan(stored);
    expect(fastShare, report).toBeGreaterThanOrEqual(0.9);
    expect(stored / seconds, report).toBeGreaterThanOrEqual(0.8 * CAPACITY);
    expect(sampleQuantile(accepted, 0.99), report).toBeLessThanOrEqual(DEADLINE_MS / 1000);
    expect(timeouts, report).toBe(0);
    // Shed first: the best-effort tenant never gets more stored than the latency-sensitive one.
    expect(stats[1]!.byStatus[202] ?? 0, report).toBeLessThanOrEqual(stats[0]!.byStatus[202] ?? 0);
    const acceptedEvents = stats.reduce((sum, s) => sum + s.acceptedEvents, warmAccepted);
    await sleep(200);
    expect(countStoredEvents(db)).toBe(acceptedEvents);
  }, 60_000);

  it('kill -9 under load: every event answered 202 is stored, once', async () => {
    const { url, db, proc } = await startOverloaded('kill');
    const loads = [run(url, 'checkout', 1.5 * CAPACITY), run(url, 'analytics', 1.5 * CAPACITY)];
    await sleep(2_000);
    await proc.stop('SIGKILL');
    await Promise.all(loads.map((l) => l.stop()));
    const acceptedEvents = loads.reduce((sum, l) => sum + l.stats.acceptedEvents, 0);
    expect(acceptedEvents).toBeGreaterThan(0);
    const store = new Database(db, { readonly: true });
    try {
      const { total, unique_ids: unique } = store
        .prepare(
          "SELECT COUNT(*) AS total, COUNT(DISTINCT tenant || ' ' || client_id) AS unique_ids FROM events",
        )
        .get() as { total: number; unique_ids: number };
      // Every 202 is in the store (a commit in flight at the kill may add events never answered).
      expect(total).toBeGreaterThanOrEqual(acceptedEvents);
      expect(unique).toBe(total);
    } finally {
      store.close();
    }
  }, 60_000);

  /** A flood from its own process (test/e2e/overload-flood.ts); stop() returns its stats line. */
  async function startFlood(url: string, tenant: string, rate: number, kind: 'small' | 'bulk') {
    const proc = await startFloodProcess(url, tenant, rate, kind, (p) => running.push(p));
    return {
      stop: async (): Promise<string> => {
        await proc.stop('SIGTERM');
        return (
          proc
            .output()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .join('') || proc.output()
        );
      },
    };
  }

  /**
   * Checkout at 0.5x capacity alone, then beside `flood`, in interleaved rounds so a noisy
   * neighbour hits both phases alike; latencies pooled per phase.
   */
  async function checkoutBeside(
    url: string,
    flood: () => ReturnType<typeof startFlood>,
  ): Promise<{ alone: LoadStats[]; loaded: LoadStats[]; floods: string[] }> {
    const alone: LoadStats[] = [];
    const loaded: LoadStats[] = [];
    const floods: string[] = [];
    const warm = run(url, 'checkout', CAPACITY / 2);
    await sleep(1_000);
    await warm.stop();
    for (let round = 0; round < 3; round++) {
      const solo = run(url, 'checkout', CAPACITY / 2);
      await sleep(3_000);
      await solo.stop();
      alone.push(solo.stats);
      const other = await flood();
      await sleep(300);
      const beside = run(url, 'checkout', CAPACITY / 2);
      await sleep(3_000);
      await beside.stop();
      floods.push(await other.stop());
      loaded.push(beside.stats);
    }
    return { alone, loaded, floods };
  }

  function expectProtected(
    result: { alone: LoadStats[]; loaded: LoadStats[]; floods: string[] },
    maxP99Ratio = 1.25,
  ): void {
    const p99 = (runs: LoadStats[]) =>
      sampleQuantile(
        runs.flatMap((s) => s.acceptedLatencies),
        0.99,
      );
    const timeouts = (runs: LoadStats[]) => runs.reduce((sum, s) => sum + (s.byError.timeout ?? 0), 0);
    const report = `checkout alone p99 ${ms(p99(result.alone))}, beside the flood ${ms(p99(result.loaded))}; ${timeouts(result.loaded)} timeouts\ncheckout beside: ${result.loaded.map(describeStats).join('\n')}\nflood: ${result.floods.join('\n')}`;
    console.log(report);
    expect(timeouts(result.loaded), report).toBe(0);
    expect(p99(result.loaded), report).toBeLessThanOrEqual(maxP99Ratio * p99(result.alone));
  }

  it('checkout 0.5x beside analytics (best-effort) 4.5x: checkout p99 within 1.25x of alone, 0 timeouts', async () => {
    const { url } = await startOverloaded('classes');
    expectProtected(await checkoutBeside(url, () => startFlood(url, 'analytics', 4.5 * CAPACITY, 'small')));
  }, 120_000);

  // Bodies of 64 KiB and more are parsed on worker threads (examples/blueprint/parse-pool.ts).
  // Before that, checkout's p99 went from 67 to 285-316 ms beside this flood (4.3x); on a quiet
  // machine it now stays within 1.04-1.15x (three runs, 2026-12-06). On a 2-core machine shared
  // with other work it swings more (0.95-1.9x was seen), CPU the blueprint does not control.
  it('checkout 0.5x beside parse-heavy 1 MiB bodies from analytics at 0.5x: checkout p99 within 1.25x of alone, 0 timeouts', async () => {
    const { url } = await startOverloaded('parse-heavy');
    expectProtected(await checkoutBeside(url, () => startFlood(url, 'analytics', CAPACITY / 2, 'bulk')));
  }, 120_000);
});
