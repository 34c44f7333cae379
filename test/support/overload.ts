// What the overload e2e test and the overload bench share: the blueprint at the red-team setting
// (two tenants, one per class, on a fresh store), open-loop load for one tenant, and a flood from
// its own process (test/e2e/overload-flood.ts), so the flood's CPU does not skew the client.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';
import { blueprintToml, startBlueprintProcess } from './blueprint.js';
import { freePort, startProcess, waitFor, type RunningProcess } from './process.js';

/** The variable both tenants read their token from (spawned processes inherit it). */
export const OVERLOAD_TOKEN_ENV = 'BLUEPRINT_OVERLOAD_TOKEN';

export interface OverloadedBlueprint {
  readonly url: string;
  /** The SQLite store's path. */
  readonly db: string;
  readonly proc: RunningProcess;
}

/**
 * Starts the blueprint with `workers` enrichment workers and a `deadlineMs` request deadline,
 * tenants checkout (latency-sensitive) and analytics (best-effort); `name` keeps its files apart
 * in `dir`. `started` gets the process at once, so a caller can always stop it.
 */
export async function startOverloadedBlueprint(options: {
  readonly dir: string;
  readonly name: string;
  readonly deps: readonly { readonly url: string }[];
  readonly workers: number;
  readonly deadlineMs: number;
  readonly started: (process: RunningProcess) => void;
}): Promise<OverloadedBlueprint> {
  const { dir, name } = options;
  const port = await freePort();
  const configPath = join(dir, `${name}.toml`);
  writeFileSync(
    configPath,
    blueprintToml({
      dbPath: `${name}.db`,
      deps: options.deps,
      service: { listen: `127.0.0.1:${port}` },
      tenants: {
        checkout: { class: 'latency-sensitive', token_env: OVERLOAD_TOKEN_ENV },
        analytics: { class: 'best-effort', token_env: OVERLOAD_TOKEN_ENV },
      },
      tables: {
        security: { log: `${name}-security.ndjson` },
        ingress: { timeout_ms: options.deadlineMs },
        enrichment: { concurrency: options.workers },
      },
    }),
  );
  const proc = await startBlueprintProcess(configPath, {
    log: join(dir, `${name}.ndjson`),
    started: options.started,
  });
  return { url: `http://127.0.0.1:${port}`, db: join(dir, `${name}.db`), proc };
}

/** Open-loop load from one tenant at `rate` requests/s, started. */
export function tenantLoad(url: string, tenant: string, token: string, rate: number): LoadGenerator {
  const load = new LoadGenerator({
    url,
    tenants: [{ name: tenant, weight: 1, token }],
    ratePerSecond: rate,
    connections: 64,
  });
  load.start();
  return load;
}

/**
 * A flood of small or 1 MiB (`bulk`) bodies from its own process, once it says it is flooding;
 * `started` gets the process at once, so a caller can always stop it.
 */
export async function startFloodProcess(
  url: string,
  tenant: string,
  rate: number,
  kind: 'small' | 'bulk',
  started: (process: RunningProcess) => void,
): Promise<RunningProcess> {
  const proc = startProcess('node_modules/.bin/tsx', [
    'test/e2e/overload-flood.ts',
    url,
    tenant,
    String(rate),
    kind,
  ]);
  started(proc);
  await waitFor('the flood to start', () => (proc.output().includes('flooding') ? true : undefined), 30_000);
  return proc;
}
