// The blueprint as its own process (examples/blueprint/main.ts) under 5x its capacity, then
// SIGTERM in the middle of the load: it sheds with 429/503, keeps accepted latency bounded,
// and after the drain the store holds exactly the events it answered 202 for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { countStoredEvents } from '../../examples/blueprint/event-store.js';
import { LoadGenerator, sampleQuantile } from '../../examples/blueprint/loadgen.js';
import {
  blueprintToml,
  spawnBlueprintProcess,
  startBlueprintProcess,
  startDependencies,
} from '../support/blueprint.js';
import { freePort, type RunningProcess } from '../support/process.js';

const TOKEN = 'e2e-tenant-token-0123456789';
// Every tenant of these configs reads this token from BLUEPRINT_E2E_TOKEN (spawned processes inherit it).
process.env.BLUEPRINT_E2E_TOKEN = TOKEN;

const DEPENDENCY_LATENCY_MS = 20;
const WORKERS = 4;
/** Requests per second the service can finish: every worker holds a request for one lookup round. */
const CAPACITY = (WORKERS * 1000) / DEPENDENCY_LATENCY_MS;

let dir: string;
let deps: DependencyServer[] = [];
let service: RunningProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'blueprint-e2e-'));
  deps = await startDependencies({ latencyMs: DEPENDENCY_LATENCY_MS, jitterMs: 0 });
});

afterAll(async () => {
  await service?.stop('SIGKILL');
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('blueprint process under overload', () => {
  it('sheds at 5x capacity, bounds accepted latency, and loses no accepted event across SIGTERM', async () => {
    const port = await freePort();
    const configPath = join(dir, 'blueprint.toml');
    writeFileSync(
      configPath,
      blueprintToml({
        dbPath: 'events.db',
        deps,
        service: { listen: `127.0.0.1:${port}` },
        tenants: {
          checkout: { class: 'latency-sensitive', queue_bound: 20, token_env: 'BLUEPRINT_E2E_TOKEN' },
          analytics: { class: 'best-effort', queue_bound: 20, token_env: 'BLUEPRINT_E2E_TOKEN' },
        },
        tables: { ingress: { timeout_ms: 250 }, enrichment: { concurrency: WORKERS } },
      }),
    );
    const proc = await startBlueprintProcess(configPath, {
      log: join(dir, 'events.ndjson'),
      started: (p) => {
        service = p;
      },
    });

    const load = new LoadGenerator({
      url: `http://127.0.0.1:${port}`,
      tenants: [
        { name: 'checkout', weight: 1, token: TOKEN },
        { name: 'analytics', weight: 1, token: TOKEN },
      ],
      ratePerSecond: 5 * CAPACITY,
    });
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // SIGTERM with the load still running: queued work finishes, new work is refused.
    const exited = proc.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await load.stop();
    expect(await exited, proc.output()).toBe(0);

    const { byStatus, acceptedEvents, acceptedLatencies, sent } = load.stats;
    const shed = (byStatus[429] ?? 0) + (byStatus[503] ?? 0);
    expect(byStatus[429], JSON.stringify(byStatus)).toBeGreaterThan(0);
    expect(shed, JSON.stringify(byStatus)).toBeGreaterThan(sent / 2);
    expect(byStatus[500] ?? 0).toBe(0);
    expect(byStatus[202]).toBeGreaterThan(0);
    // Bounded, not fast: an unbounded queue at 5x would be seconds behind after 3 s. The bound is
    // the request deadline plus one batch wait plus the commit, with room for a shared CPU.
    expect(sampleQuantile(acceptedLatencies, 0.99)).toBeLessThan(1.5);
    expect(countStoredEvents(join(dir, 'events.db'))).toBe(acceptedEvents);
    expect(proc.output()).toMatch(/blueprint drained/);
  });

  it('refuses to start on a bad config, naming the key', async () => {
    const configPath = join(dir, 'bad.toml');
    writeFileSync(configPath, '[storage]\nmax_batch = "many"\n');
    const proc = spawnBlueprintProcess(configPath);
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).toBe(2);
    expect(proc.output()).toMatch(/storage\.max_batch: expected an integer/);
  });
});
