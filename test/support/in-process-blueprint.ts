// The blueprint inside the test's own process: its loopback dependencies, a config written into a
// fresh directory, plumbline's telemetry over the blueprint spec, and the service; `stop` drains
// it and undoes the rest. Tests that need the process boundary use startBlueprintProcess.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../examples/blueprint/config.js';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { startBlueprint, type BlueprintService } from '../../examples/blueprint/service.js';
import {
  openTelemetry,
  type TelemetryOptions,
  type TelemetryPort,
} from '../../examples/blueprint/telemetry-port.js';
import Database from 'better-sqlite3';
import { blueprintToml, startDependencies, type BlueprintTomlOptions } from './blueprint.js';
import { issueCertificate, makeCertificateAuthority } from './collector.js';

export interface InProcessBlueprintOptions {
  /** Prefix of the fresh directory in the OS temp dir. */
  readonly prefix: string;
  /** Runs first, in the directory (e.g. writes certificates the config names). */
  readonly prepare?: (dir: string) => void;
  /** The config text, given the directory and the started dependencies (geo first). */
  readonly toml: (dir: string, deps: readonly DependencyServer[]) => string;
  /** Config paths resolve against the directory rather than the working directory. */
  readonly pathsRelativeToDir?: boolean;
  readonly telemetry: (dir: string) => TelemetryOptions;
  /** The environment the config's token_env names read from. */
  readonly env: Readonly<Record<string, string>>;
}

export interface InProcessBlueprint {
  readonly dir: string;
  readonly deps: readonly DependencyServer[];
  readonly telemetry: TelemetryPort;
  readonly service: BlueprintService;
  /** Drains the service, shuts telemetry down, closes the dependencies, removes the directory. */
  stop(): Promise<void>;
}

export async function startInProcessBlueprint(
  options: InProcessBlueprintOptions,
): Promise<InProcessBlueprint> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  let deps: DependencyServer[] = [];
  let telemetry: TelemetryPort | undefined;
  let service: BlueprintService | undefined;
  const stop = async (): Promise<void> => {
    await service?.drain();
    await telemetry?.shutdown();
    await Promise.all(deps.map((dep) => dep.close()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    options.prepare?.(dir);
    deps = await startDependencies();
    const text = options.toml(dir, deps);
    const config = options.pathsRelativeToDir ? parseConfig(text, 'test.toml', dir) : parseConfig(text);
    telemetry = await openTelemetry(options.telemetry(dir));
    service = await startBlueprint(config, telemetry, { env: { ...options.env } });
  } catch (error) {
    // Whatever started is stopped: a failed start leaves no listener or directory behind.
    await stop().catch(() => {});
    throw error;
  }
  return { dir, deps, telemetry, service, stop };
}

/**
 * The blueprint with one latency-sensitive tenant, `acme` (its bearer token `token`), storing
 * each event at once, with its event and security logs in its directory; `config` adds keys of
 * [service] and further tables.
 */
export function startAcmeBlueprint(
  prefix: string,
  token: string,
  config: Pick<BlueprintTomlOptions, 'service' | 'tables'> = {},
): Promise<InProcessBlueprint> {
  return startInProcessBlueprint({
    prefix,
    toml: (dir, deps) =>
      blueprintToml({
        ...config,
        dbPath: join(dir, 'events.db'),
        deps,
        storage: { min_batch: 1, max_wait_ms: 5 },
        tenants: { acme: { class: 'latency-sensitive', token_env: 'ACME_TOKEN' } },
      }),
    telemetry: (dir) => ({
      logDestination: join(dir, 'events.ndjson'),
      securityLogDestination: join(dir, 'security.ndjson'),
    }),
    env: { ACME_TOKEN: token },
  });
}

/**
 * The blueprint on HTTPS with `acme` (its token `token`): a throwaway CA (its certificate at
 * `ca/` in the directory) and a server certificate from it; `service` adds [service] keys. The
 * security log is security.ndjson in the directory.
 */
export function startTlsAcmeBlueprint(
  prefix: string,
  token: string,
  service: NonNullable<BlueprintTomlOptions['service']> = {},
): Promise<InProcessBlueprint & { readonly caCert: string }> {
  let caCert = '';
  return startInProcessBlueprint({
    prefix,
    prepare: (dir) => {
      const ca = makeCertificateAuthority(join(dir, 'ca'), `${prefix} CA`);
      caCert = ca.cert;
      issueCertificate(ca, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
    },
    toml: (_dir, deps) =>
      blueprintToml({
        dbPath: 'events.db',
        deps,
        service: { tls_cert: 'cert.pem', tls_key: 'key.pem', ...service },
        tenants: { acme: { class: 'latency-sensitive', token_env: 'ACME_TOKEN' } },
      }),
    pathsRelativeToDir: true,
    telemetry: (dir) => ({
      logDestination: join(dir, 'events.ndjson'),
      securityLogDestination: join(dir, 'security.ndjson'),
    }),
    env: { ACME_TOKEN: token },
  }).then((blueprint) => ({ ...blueprint, caCert }));
}

/** POST /events as acme: the status and the JSON answer. */
export async function postAsAcme(
  blueprint: InProcessBlueprint,
  token: string,
  body: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${blueprint.service.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': 'acme', authorization: `Bearer ${token}` },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The stored payloads of the events of `type`, read from the blueprint's SQLite store. */
export function storedPayloads(blueprint: InProcessBlueprint, type: string): string[] {
  const store = new Database(join(blueprint.dir, 'events.db'), { readonly: true });
  try {
    return (
      store.prepare('SELECT payload FROM events WHERE type = ?').all(type) as { payload: string }[]
    ).map((row) => row.payload);
  } finally {
    store.close();
  }
}
