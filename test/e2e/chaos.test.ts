// Each chaos switch on the blueprint process at its profile's stated rate, under 200 req/s of
// load for 3 s (about 600 requests, 1-5 events each), with SIGTERM in the middle of the load:
// the process stays up until told to stop, drains, exits 0, and the store holds exactly the
// events it answered 202 for. Faults are counted on /metrics by kind and target.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { countStoredEvents } from '../../examples/blueprint/event-store.js';
import { LoadGenerator, sampleQuantile, type LoadStats } from '../../examples/blueprint/loadgen.js';
import { blueprintToml, startBlueprintProcess, startDependencies } from '../support/blueprint.js';
import { freePort } from '../support/process.js';

const TOKEN = 'e2e-tenant-token-0123456789';
process.env.BLUEPRINT_E2E_TOKEN = TOKEN;

const RATE = 200;
const LOAD_MS = 3_000;

let dir: string;
let deps: DependencyServer[] = [];
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-chaos-'));
  deps = await startDependencies({ latencyMs: 3, jitterMs: 2 });
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

interface ChaosRun {
  readonly load: LoadStats;
  readonly stored: number;
  readonly exitCode: number | null;
  readonly output: string;
  /** blueprint_chaos_injected_total samples scraped just before SIGTERM, by "kind/target". */
  readonly injected: Record<string, number>;
}

/** Starts the blueprint with `chaosToml` (or BLUEPRINT_CHAOS=`envProfile`), loads it, SIGTERMs it mid-load. */
async function runWithChaos(name: string, chaosToml: string, envProfile?: string): Promise<ChaosRun> {
  const port = await freePort();
  const adminPort = await freePort();
  const configPath = join(dir, `${name}.toml`);
  const dbPath = join(dir, `${name}.db`);
  writeFileSync(
    configPath,
    blueprintToml({
      dbPath: `${name}.db`,
      deps,
      service: { listen: `127.0.0.1:${port}` },
      admin: { listen: `127.0.0.1:${adminPort}` },
      storage: { min_batch: 10 },
      tenants: {
        checkout: { class: 'latency-sensitive', queue_bound: 2000, token_env: 'BLUEPRINT_E2E_TOKEN' },
        analytics: { class: 'best-effort', queue_bound: 2000, token_env: 'BLUEPRINT_E2E_TOKEN' },
      },
      sections: chaosToml,
    }),
  );
  const env = { ...process.env };
  if (envProfile !== undefined) env.BLUEPRINT_CHAOS = envProfile;
  else delete env.BLUEPRINT_CHAOS;
  const proc = await startBlueprintProcess(configPath, {
    log: join(dir, `${name}.ndjson`),
    env,
    started: (p) => stops.push(() => p.stop('SIGKILL')),
  });
  const url = `http://127.0.0.1:${port}`;
  const load = new LoadGenerator({
    url,
    tenants: [
      { name: 'checkout', weight: 2, token: TOKEN },
      { name: 'analytics', weight: 1, token: TOKEN },
    ],
    ratePerSecond: RATE,
    eventsPerRequest: [1, 5],
  });
  load.start();
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
  const exposition = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const injected: Record<string, number> = {};
  for (const match of exposition.matchAll(
    /^blueprint_chaos_injected_total\{kind="([a-z_]+)",target="([a-z]+)"\} (\S+)$/gm,
  ))
    injected[`${match[1]}/${match[2]}`] = Number(match[3]);
  // SIGTERM with the load still running: queued, delayed and retried work finishes.
  const exited = proc.stop('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await load.stop();
  const exitCode = await exited;
  return { load: load.stats, stored: countStoredEvents(dbPath), exitCode, output: proc.output(), injected };
}

describe('blueprint under chaos, then SIGTERM', () => {
  it('kill profile (10% of dependency calls and batch flushes killed mid-flight): killed flushes are retried, no accepted event lost', async () => {
    const run = await runWithChaos('kill', '[chaos]\nprofile = "kill"\nseed = 7');
    const { byStatus, acceptedEvents, sent, degradedRequests } = run.load;
    expect(run.exitCode, run.output).toBe(0);
    expect(sent).toBeGreaterThan(450);
    expect(byStatus[202], JSON.stringify(byStatus)).toBeGreaterThan(sent * 0.9);
    expect(byStatus[500] ?? 0, JSON.stringify(byStatus)).toBe(0);
    expect(run.stored).toBe(acceptedEvents);
    // Around 10% of ~2 calls per request, and 10% of the flushes: both well above zero.
    expect(run.injected['kill_task/dependency'], run.output).toBeGreaterThan(sent * 0.1);
    expect(run.injected['kill_task/storage'], run.output).toBeGreaterThan(0);
    expect(degradedRequests).toBeGreaterThan(0);
    expect(run.output).toMatch(/blueprint chaos injected: \{.*"kill_task\/storage":\d+/);
  });

  it('corrupt profile via BLUEPRINT_CHAOS (5% of bodies flipped or truncated): exactly those get 400, the rest are stored', async () => {
    const run = await runWithChaos('corrupt', '', 'corrupt');
    const { byStatus, acceptedEvents, sent } = run.load;
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/chaos profile corrupt/);
    expect(sent).toBeGreaterThan(450);
    const corrupted = run.injected['corrupt_request/request'] ?? 0;
    expect(corrupted).toBeGreaterThan(sent * 0.01);
    // The load sends only valid requests: every 400 is an injected corruption (scraped before
    // SIGTERM, so a few more may come after the scrape), and nothing else failed.
    expect(byStatus[400] ?? 0).toBeGreaterThanOrEqual(corrupted);
    expect(byStatus[400] ?? 0).toBeLessThan(sent * 0.12);
    expect(byStatus[500] ?? 0, JSON.stringify(byStatus)).toBe(0);
    expect(run.stored).toBe(acceptedEvents);
    const final = /blueprint chaos injected: (\{.*\})/.exec(run.output);
    expect(final, run.output).not.toBeNull();
    expect((JSON.parse(final![1]!) as Record<string, number>)['corrupt_request/request']).toBe(byStatus[400]);
  });

  it('latency profile (10% of dependency calls and flushes 300-400 ms slower): degraded and slow, still nothing lost', async () => {
    const run = await runWithChaos('latency', '[chaos]\nprofile = "latency"\nseed = 11');
    const { byStatus, acceptedEvents, acceptedLatencies, sent, degradedRequests } = run.load;
    expect(run.exitCode, run.output).toBe(0);
    expect(sent).toBeGreaterThan(450);
    expect(byStatus[500] ?? 0, JSON.stringify(byStatus)).toBe(0);
    expect(run.stored).toBe(acceptedEvents);
    expect(run.injected['tail_latency/dependency']).toBeGreaterThan(0);
    expect(run.injected['tail_latency/storage']).toBeGreaterThan(0);
    // Slow dependencies are cut off by the 80 ms budget (degraded); slow flushes show in p99.
    expect(degradedRequests).toBeGreaterThan(0);
    expect(sampleQuantile(acceptedLatencies, 0.99)).toBeGreaterThan(0.3);
  });
});
