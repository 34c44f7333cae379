// What the blueprint tests share: its loopback dependencies, its TOML config, the
// blueprint as its own process (examples/blueprint/main.ts) waited on until it listens, and the
// issues of a config the parser refuses.
import { stringify } from 'smol-toml';
import { ConfigError, parseConfig } from '../../examples/blueprint/config.js';
import {
  startDependency,
  type DependencyServer,
  type Faults,
} from '../../examples/blueprint/dependency-server.js';
import { startProcess, waitFor, type RunningProcess } from './process.js';

/** The two dependencies every blueprint config names, started on free loopback ports. */
export function startDependencies(faults?: Partial<Faults>): Promise<DependencyServer[]> {
  return Promise.all(
    ['geo', 'profile'].map((name) =>
      faults === undefined ? startDependency(name) : startDependency(name, { faults }),
    ),
  );
}

/** The [dependencies.geo] and [dependencies.profile] sections pointing at `deps` (geo first), no final newline. */
export function dependenciesToml(deps: readonly { readonly url: string }[]): string {
  return `[dependencies.geo]
url = "${deps[0]!.url}"
[dependencies.profile]
url = "${deps[1]!.url}"`;
}

/** A TOML value as blueprintToml writes it: strings quoted, numbers and booleans bare, arrays. */
export type TomlValue = string | number | boolean | readonly TomlValue[];

/** The keys of one TOML table; a table inside it is written as its own [parent.child] table. */
export interface TomlTable {
  readonly [key: string]: TomlValue | TomlTable;
}

export interface BlueprintTomlOptions {
  /** [storage] path. */
  readonly dbPath: string;
  /** The dependencies' addresses, geo first. */
  readonly deps: readonly { readonly url: string }[];
  /** Keys of [service]; listen is "127.0.0.1:0" unless given. */
  readonly service?: TomlTable;
  /** Keys of [admin]; listen is "127.0.0.1:0" unless given. */
  readonly admin?: TomlTable;
  /** Keys of [storage] besides path. */
  readonly storage?: TomlTable;
  /** Keys of [dependencies.geo] and [dependencies.profile] besides url (a CA for an https one). */
  readonly dependencies?: { readonly geo?: TomlTable; readonly profile?: TomlTable };
  /** Tenant name -> the keys of its [tenants.<name>]; the checkout tenant of checkoutBlueprintToml when absent. */
  readonly tenants?: Readonly<Record<string, TomlTable>>;
  /** Further tables by name ([security], [ingress], [enrichment], [chaos], ...). */
  readonly tables?: Readonly<Record<string, TomlTable>>;
  /** TOML text appended as it is, for tables a test already has as text. */
  readonly sections?: string;
}

/** The checkout tenant: latency-sensitive, its token from CHECKOUT_TOKEN. */
const CHECKOUT_TENANT: TomlTable = {
  class: 'latency-sensitive',
  queue_bound: 5000,
  token_env: 'CHECKOUT_TOKEN',
};

/**
 * A blueprint config on loopback ports, stored at `dbPath`, with `deps` as its dependencies and
 * the keys and tables of `options` added, written by the same TOML library the parser reads with.
 */
export function blueprintToml(options: BlueprintTomlOptions): string {
  const { deps } = options;
  const text = stringify({
    service: { listen: '127.0.0.1:0', ...options.service },
    admin: { listen: '127.0.0.1:0', ...options.admin },
    storage: { path: options.dbPath, ...options.storage },
    dependencies: {
      geo: { url: deps[0]!.url, ...options.dependencies?.geo },
      profile: { url: deps[1]!.url, ...options.dependencies?.profile },
    },
    tenants: options.tenants ?? { checkout: CHECKOUT_TENANT },
    ...options.tables,
  });
  return `${text}${options.sections ?? ''}`;
}

/**
 * A one-tenant blueprint config on loopback ports: checkout (latency-sensitive, its token from
 * CHECKOUT_TOKEN), stored at `dbPath`, with `deps` as its dependencies.
 */
export function checkoutBlueprintToml(dbPath: string, deps: readonly { readonly url: string }[]): string {
  return blueprintToml({ dbPath, deps });
}

/** Dependency addresses nothing answers on, for configs that are parsed and never started. */
export const UNREACHABLE_DEPENDENCIES = [
  { url: 'http://127.0.0.1:1' },
  { url: 'http://127.0.0.1:2' },
] as const;

export interface BlueprintProcessOptions {
  /** Where the process writes its event log (`--log`); none when absent. */
  readonly log?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The repository root to run from (tsx and main.ts are resolved against it); the cwd when absent. */
  readonly root?: string;
  /** How long to wait for "listening on" (default 30 s). */
  readonly timeoutMs?: number;
  /** Called with the process as soon as it is spawned, so a test can stop it even if it never listens. */
  readonly started?: (process: RunningProcess) => void;
}

/**
 * Spawns the blueprint on `configPath` without waiting (for a start that is meant to fail). It
 * runs as one process, `node --import tsx`, never under the `tsx` CLI: that wrapper relays a
 * SIGTERM to its child and SIGKILLs it (exit 143) when the child has not confirmed within 30 ms,
 * which a loaded machine misses (test/regression/blueprint-sigterm-exit-143.test.ts).
 */
export function spawnBlueprintProcess(
  configPath: string,
  options: Omit<BlueprintProcessOptions, 'timeoutMs' | 'started'> = {},
): RunningProcess {
  const args = ['--import', 'tsx', 'examples/blueprint/main.ts', configPath];
  if (options.log !== undefined) args.push('--log', options.log);
  return startProcess(process.execPath, args, {
    ...(options.root === undefined ? {} : { cwd: options.root }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}

/** Starts the blueprint on `configPath` and waits until it says "listening on"; fails with its output if it exits first. */
export async function startBlueprintProcess(
  configPath: string,
  options: BlueprintProcessOptions = {},
): Promise<RunningProcess> {
  const proc = spawnBlueprintProcess(configPath, options);
  options.started?.(proc);
  await waitFor(
    'the blueprint to listen',
    () =>
      proc.output().includes('listening on')
        ? true
        : proc.child.exitCode !== null
          ? Promise.reject(new Error(proc.output()))
          : undefined,
    options.timeoutMs ?? 30_000,
  );
  return proc;
}

/** The issues of the ConfigError `text` raises; throws if it parses. */
export function configIssues(text: string): readonly string[] {
  try {
    parseConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
