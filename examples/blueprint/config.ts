// The blueprint's TOML config: parsed, checked and defaulted once at startup. Every problem
// names its key ("storage.max_batch: ...") and all of them are reported at once. Secrets never
// live in it: a tenant's token is named by an environment variable or a file, read at startup.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import {
  CHAOS_OFF,
  CHAOS_PROFILE_NAMES,
  CHAOS_PROFILES,
  type ChaosProfileName,
  type ChaosSettings,
  type TailLatencyTarget,
} from './chaos-profiles.js';

export type TenantClass = 'latency-sensitive' | 'best-effort';

/** Where a tenant's bearer token is read at startup: never the TOML itself. */
export type TokenSource = { readonly env: string } | { readonly file: string };

export interface TenantConfig {
  readonly name: string;
  readonly class: TenantClass;
  /** Events this tenant may have waiting in its ingress queue before it gets 429. */
  readonly queueBound: number;
  readonly token: TokenSource;
}

export interface TlsConfig {
  readonly certPath: string;
  readonly keyPath: string;
  /** How often the files are checked for a rotated pair, in ms. */
  readonly reloadIntervalMs: number;
}

export interface DependencyConfig {
  readonly name: string;
  /** http:// or https:// (without the /lookup path). */
  readonly url: string;
  /** https only: a PEM file of the CA(s) to trust for this dependency, instead of the system's. */
  readonly caPath?: string;
}

export interface BlueprintConfig {
  /** Where the config was read from, and the SHA-256 of its text (it holds no secret to leak). */
  readonly source: string;
  readonly sha256: string;
  /** The public listener: POST /events only, HTTPS when `tls` is set. */
  readonly service: {
    readonly host: string;
    readonly port: number;
    readonly tls?: TlsConfig;
    /** A connection that has not sent a whole request head in this time is closed (408). */
    readonly headersTimeoutMs: number;
    /** A request (head and body) not received in this time is closed (408). */
    readonly requestTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    readonly keepAliveTimeoutMs: number;
    /** Open connections at once; more are closed as they arrive. */
    readonly maxConnections: number;
    /** Open connections from one client address; more from it are closed as they arrive. */
    readonly maxConnectionsPerAddress: number;
  };
  /**
   * The admin listener (GET /metrics, GET /healthz), loopback by default: never the public port.
   * Off loopback it needs a bearer token (`token_env`), which /metrics and /healthz then require.
   */
  readonly admin: { readonly host: string; readonly port: number; readonly tokenEnv?: string };
  /** The security-event stream ([security]); the log path may also come from --security-log. */
  readonly security: {
    readonly logPath?: string;
    readonly foldWindowMs: number;
    readonly maxLinesPerWindow: number;
    /** How often tenants' token files are read again for a rotated token, in ms. */
    readonly tokenReloadMs: number;
  };
  readonly ingress: {
    /** Requests inside the service at once (queued, enriching or storing); beyond it: 503. */
    readonly maxInFlight: number;
    /** Deadline of one request from arrival; propagated to every stage as an AbortSignal. */
    readonly timeoutMs: number;
    readonly maxBodyBytes: number;
    readonly maxEventsPerRequest: number;
    /** Largest payload nesting accepted (objects and arrays). */
    readonly maxDepth: number;
  };
  readonly enrichment: {
    readonly fanout: number;
    readonly budgetMs: number;
    /** Requests enriched at once: the workers the two-class scheduler feeds. */
    readonly concurrency: number;
  };
  readonly storage: {
    readonly path: string;
    readonly minBatch: number;
    readonly maxBatch: number;
    readonly maxWaitMs: number;
    readonly synchronous: 'normal' | 'full';
  };
  readonly dependencies: readonly DependencyConfig[];
  readonly tenants: readonly TenantConfig[];
  /** Fault injection ([chaos]); absent or all ratios 0 means off, and no hook is installed. */
  readonly chaos?: ChaosSettings;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(
      `invalid blueprint config ${source} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Reads and validates a config file; relative storage paths resolve against the file's folder. */
export async function loadConfig(path: string): Promise<BlueprintConfig> {
  const text = await readFile(path, 'utf8');
  return parseConfig(text, path, dirname(resolve(path)));
}

/** Parses and validates config text; throws ConfigError naming every bad key. */
export function parseConfig(text: string, source = '<config>', baseDir = process.cwd()): BlueprintConfig {
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
    throw new ConfigError(source, [`not valid TOML${where}: ${firstLine(error)}`]);
  }
  const issues: string[] = [];
  const read = new Reader(issues);

  const service = read.table(raw, 'service', [
    'listen',
    'tls_cert',
    'tls_key',
    'tls_reload_ms',
    'headers_timeout_ms',
    'request_timeout_ms',
    'keep_alive_timeout_ms',
    'max_connections',
    'max_connections_per_address',
  ]);
  const { host, port } = readListen(read, service, 'service.listen', '127.0.0.1:8080');
  const tls = readTls(read, service, baseDir);
  const headersTimeoutMs = read.int(service, 'service.headers_timeout_ms', 10_000, 100, 600_000);
  const requestTimeoutMs = read.int(service, 'service.request_timeout_ms', 30_000, 100, 3_600_000);
  if (requestTimeoutMs < headersTimeoutMs)
    issues.push(
      `service.request_timeout_ms: must be at least service.headers_timeout_ms (${headersTimeoutMs}), got ${requestTimeoutMs}`,
    );
  const adminTable = read.table(raw, 'admin', ['listen', 'token_env']);
  const adminListen = readListen(read, adminTable, 'admin.listen', `127.0.0.1:${DEFAULT_ADMIN_PORT}`);
  const adminTokenEnv =
    adminTable.token_env === undefined ? undefined : read.string(adminTable, 'admin.token_env', '');
  // /metrics and /healthz tell an attacker what the service is doing: off loopback they need a token.
  if (!isLoopback(adminListen.host) && adminTokenEnv === undefined)
    issues.push(
      `admin.listen: ${adminListen.host} is not a loopback address; set admin.token_env (a bearer token /metrics and /healthz then require) or listen on 127.0.0.1`,
    );
  const admin = { ...adminListen, ...(adminTokenEnv === undefined ? {} : { tokenEnv: adminTokenEnv }) };
  const securityTable = read.table(raw, 'security', [
    'log',
    'fold_window_ms',
    'max_lines_per_window',
    'token_reload_ms',
  ]);
  const securityLog =
    securityTable.log === undefined ? undefined : read.string(securityTable, 'security.log', '');

  const ingress = read.table(raw, 'ingress', [
    'max_in_flight',
    'timeout_ms',
    'max_body_bytes',
    'max_events_per_request',
    'max_depth',
  ]);
  const enrichment = read.table(raw, 'enrichment', ['fanout', 'budget_ms', 'concurrency']);
  const storage = read.table(raw, 'storage', [
    'path',
    'min_batch',
    'max_batch',
    'max_wait_ms',
    'synchronous',
  ]);
  const config = {
    source,
    sha256: createHash('sha256').update(text).digest('hex'),
    service: {
      host,
      port,
      ...(tls === undefined ? {} : { tls }),
      headersTimeoutMs,
      requestTimeoutMs,
      keepAliveTimeoutMs: read.int(service, 'service.keep_alive_timeout_ms', 5_000, 100, 600_000),
      maxConnections: read.int(service, 'service.max_connections', 1024, 1, 1_000_000),
      maxConnectionsPerAddress: read.int(service, 'service.max_connections_per_address', 256, 1, 1_000_000),
    },
    admin,
    security: {
      ...(securityLog === undefined || securityLog === ''
        ? {}
        : { logPath: resolvePath(securityLog, baseDir) }),
      foldWindowMs: read.int(securityTable, 'security.fold_window_ms', 10_000, 10, 3_600_000),
      maxLinesPerWindow: read.int(securityTable, 'security.max_lines_per_window', 100, 1, 1_000_000),
      tokenReloadMs: read.int(securityTable, 'security.token_reload_ms', 5_000, 10, 3_600_000),
    },
    ingress: {
      maxInFlight: read.int(ingress, 'ingress.max_in_flight', 2048, 1, 1_000_000),
      timeoutMs: read.int(ingress, 'ingress.timeout_ms', 250, 1, 600_000),
      maxBodyBytes: read.int(ingress, 'ingress.max_body_bytes', 1 << 20, 64, 64 << 20),
      maxEventsPerRequest: read.int(ingress, 'ingress.max_events_per_request', 100, 1, 100_000),
      maxDepth: read.int(ingress, 'ingress.max_depth', 8, 1, 64),
    },
    enrichment: {
      fanout: read.int(enrichment, 'enrichment.fanout', 2, 0, 16),
      budgetMs: read.int(enrichment, 'enrichment.budget_ms', 80, 1, 600_000),
      concurrency: read.int(enrichment, 'enrichment.concurrency', 64, 1, 100_000),
    },
    storage: {
      path: resolvePath(read.string(storage, 'storage.path', 'blueprint.db'), baseDir),
      minBatch: read.int(storage, 'storage.min_batch', 25, 1, 100_000),
      maxBatch: read.int(storage, 'storage.max_batch', 100, 1, 100_000),
      maxWaitMs: read.int(storage, 'storage.max_wait_ms', 50, 0, 600_000),
      synchronous: read.oneOf(storage, 'storage.synchronous', 'normal', ['normal', 'full'] as const),
    },
    dependencies: readDependencies(read, raw, baseDir),
    tenants: readTenants(read, raw, baseDir),
    chaos: readChaos(read, raw),
  };
  read.unknownKeys(raw, '', [
    'service',
    'admin',
    'security',
    'ingress',
    'enrichment',
    'storage',
    'dependencies',
    'tenants',
    'chaos',
  ]);

  if (config.storage.minBatch > config.storage.maxBatch)
    issues.push(
      `storage.min_batch: must not exceed storage.max_batch (${config.storage.maxBatch}), got ${config.storage.minBatch}`,
    );
  if (config.enrichment.fanout !== config.dependencies.length) {
    issues.push(
      `enrichment.fanout: must equal the number of [dependencies.*] tables (${config.dependencies.length}), got ${config.enrichment.fanout}`,
    );
  }
  if (config.enrichment.budgetMs >= config.ingress.timeoutMs) {
    issues.push(
      `enrichment.budget_ms: must be below ingress.timeout_ms (${config.ingress.timeoutMs}), got ${config.enrichment.budgetMs}`,
    );
  }
  if (config.tenants.length === 0) issues.push('tenants: at least one [tenants.<name>] table is required');
  if (issues.length > 0) throw new ConfigError(source, issues);
  return config;
}

function readDependencies(read: Reader, raw: Record<string, unknown>, baseDir: string): DependencyConfig[] {
  const table = read.table(raw, 'dependencies', null);
  return Object.keys(table).map((name) => {
    const dep = read.table(table, `dependencies.${name}`, ['url', 'ca'], true);
    const url = read.string(dep, `dependencies.${name}.url`, undefined);
    if (url !== '' && !/^https?:\/\/[^/\s]+/.test(url))
      read.issues.push(`dependencies.${name}.url: expected an http(s) URL, got ${JSON.stringify(url)}`);
    if (dep.ca === undefined) return { name, url: url.replace(/\/+$/, '') };
    const ca = read.string(dep, `dependencies.${name}.ca`, undefined);
    // A CA for plain http would be silently unused: a mistake worth stopping on.
    if (!url.startsWith('https:'))
      read.issues.push(`dependencies.${name}.ca: set only with an https:// url, got ${JSON.stringify(url)}`);
    return { name, url: url.replace(/\/+$/, ''), caPath: resolvePath(ca, baseDir) };
  });
}

/** The default admin port: the OTel Prometheus exporter's. */
export const DEFAULT_ADMIN_PORT = 9464;

function readListen(
  read: Reader,
  table: Record<string, unknown>,
  path: string,
  fallback: string,
): { host: string; port: number } {
  const listen = read.string(table, path, fallback);
  const match = /^(.+):(\d{1,5})$/.exec(listen);
  if (match === null || Number(match[2]) > 65535) {
    read.issues.push(`${path}: expected "host:port" with a port 0-65535, got ${JSON.stringify(listen)}`);
    return { host: '127.0.0.1', port: 0 };
  }
  return { host: match[1]!, port: Number(match[2]) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** tls_cert and tls_key come as a pair: one without the other is a mistake, not plain HTTP. */
function readTls(read: Reader, service: Record<string, unknown>, baseDir: string): TlsConfig | undefined {
  const reloadIntervalMs = read.int(service, 'service.tls_reload_ms', 5_000, 10, 3_600_000);
  if (service.tls_cert === undefined && service.tls_key === undefined) {
    if (service.tls_reload_ms !== undefined)
      read.issues.push('service.tls_reload_ms: set only with service.tls_cert and service.tls_key');
    return undefined;
  }
  const certPath = read.string(service, 'service.tls_cert', undefined);
  const keyPath = read.string(service, 'service.tls_key', undefined);
  return {
    certPath: resolvePath(certPath, baseDir),
    keyPath: resolvePath(keyPath, baseDir),
    reloadIntervalMs,
  };
}

/**
 * A tenant's token comes from token_env or token_file, exactly one. A literal `token` is refused
 * whatever its value: a secret in the TOML ends up in version control, backups and diffs.
 */
function readToken(
  read: Reader,
  tenant: Record<string, unknown>,
  path: string,
  baseDir: string,
): TokenSource {
  if (tenant.token !== undefined)
    read.issues.push(
      `${path}.token: a literal token is refused (it would sit in the file); use ${path}.token_env or ${path}.token_file`,
    );
  const hasEnv = tenant.token_env !== undefined;
  const hasFile = tenant.token_file !== undefined;
  if (hasEnv && hasFile) {
    read.issues.push(`${path}: set one of token_env and token_file, not both`);
    return { env: '' };
  }
  if (hasFile) return { file: resolvePath(read.string(tenant, `${path}.token_file`, undefined), baseDir) };
  if (!hasEnv) {
    read.issues.push(`${path}.token_env: required (or ${path}.token_file): every tenant authenticates`);
    return { env: '' };
  }
  const env = read.string(tenant, `${path}.token_env`, undefined);
  if (env !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env))
    read.issues.push(`${path}.token_env: expected an environment variable name, got ${JSON.stringify(env)}`);
  return { env };
}

function readTenants(read: Reader, raw: Record<string, unknown>, baseDir: string): TenantConfig[] {
  const table = read.table(raw, 'tenants', null);
  return Object.keys(table).map((name) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
      read.issues.push(
        `tenants.${name}: tenant names are 1-64 of [A-Za-z0-9_.-], starting with a letter or digit`,
      );
    const tenant = read.table(
      table,
      `tenants.${name}`,
      ['class', 'queue_bound', 'token', 'token_env', 'token_file'],
      true,
    );
    return {
      name,
      class: read.oneOf(tenant, `tenants.${name}.class`, 'best-effort', [
        'latency-sensitive',
        'best-effort',
      ] as const),
      queueBound: read.int(tenant, `tenants.${name}.queue_bound`, 1000, 1, 10_000_000),
      token: readToken(read, tenant, `tenants.${name}`, baseDir),
    };
  });
}

/** [chaos]: a profile (default "off"), then any key set here overrides that profile's value. */
function readChaos(read: Reader, raw: Record<string, unknown>): ChaosSettings {
  if (raw.chaos === undefined) return CHAOS_OFF;
  const chaos = read.table(raw, 'chaos', [
    'profile',
    'kill_task_ratio',
    'corrupt_request_ratio',
    'tail_latency',
    'seed',
  ]);
  const profile = read.oneOf<ChaosProfileName>(chaos, 'chaos.profile', 'off', CHAOS_PROFILE_NAMES);
  const base = CHAOS_PROFILES[profile];
  const latency = read.table(chaos, 'chaos.tail_latency', ['ratio', 'ms', 'jitter_ms', 'targets']);
  const seed = chaos.seed === undefined ? undefined : read.int(chaos, 'chaos.seed', 0, 0, 2 ** 32 - 1);
  return {
    profile,
    killTaskRatio: read.ratio(chaos, 'chaos.kill_task_ratio', base.killTaskRatio),
    corruptRequestRatio: read.ratio(chaos, 'chaos.corrupt_request_ratio', base.corruptRequestRatio),
    tailLatency: {
      ratio: read.ratio(latency, 'chaos.tail_latency.ratio', base.tailLatency.ratio),
      ms: read.int(latency, 'chaos.tail_latency.ms', base.tailLatency.ms, 0, 600_000),
      jitterMs: read.int(latency, 'chaos.tail_latency.jitter_ms', base.tailLatency.jitterMs, 0, 600_000),
      targets: read.listOf<TailLatencyTarget>(
        latency,
        'chaos.tail_latency.targets',
        base.tailLatency.targets,
        ['dependency', 'storage'],
      ),
    },
    seed,
  };
}

/** Typed reads that record an issue naming the key and fall back to a default, so one pass finds every problem. */
class Reader {
  constructor(readonly issues: string[]) {}

  /** A sub-table; `known` lists its keys (null: any key, e.g. tenant names). */
  table(
    parent: Record<string, unknown>,
    path: string,
    known: readonly string[] | null,
    required = false,
  ): Record<string, unknown> {
    const key = path.slice(path.lastIndexOf('.') + 1);
    const value = parent[key];
    if (value === undefined) {
      if (required) this.issues.push(`${path}: missing table`);
      return {};
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
      this.issues.push(`${path}: expected a table, got ${describe(value)}`);
      return {};
    }
    const table = value as Record<string, unknown>;
    if (known !== null) this.unknownKeys(table, path, known);
    return table;
  }

  unknownKeys(table: Record<string, unknown>, path: string, known: readonly string[]): void {
    for (const key of Object.keys(table)) {
      if (!known.includes(key))
        this.issues.push(
          `${path === '' ? key : `${path}.${key}`}: unknown key (expected one of ${known.join(', ')})`,
        );
    }
  }

  int(table: Record<string, unknown>, path: string, fallback: number, min: number, max: number): number {
    const value = table[path.slice(path.lastIndexOf('.') + 1)];
    if (value === undefined) return fallback;
    // smol-toml returns integers as numbers (or bigint beyond 2^53).
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.issues.push(`${path}: expected an integer, got ${describe(value)}`);
      return fallback;
    }
    if (value < min || value > max) {
      this.issues.push(`${path}: expected ${min}..${max}, got ${value}`);
      return fallback;
    }
    return value;
  }

  /** A share in [0, 1] (TOML integer 0 or 1 accepted too). */
  ratio(table: Record<string, unknown>, path: string, fallback: number): number {
    const value = table[path.slice(path.lastIndexOf('.') + 1)];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      this.issues.push(`${path}: expected a ratio in [0, 1], got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  /** A non-empty array of allowed strings. */
  listOf<T extends string>(
    table: Record<string, unknown>,
    path: string,
    fallback: readonly T[],
    allowed: readonly T[],
  ): readonly T[] {
    const value = table[path.slice(path.lastIndexOf('.') + 1)];
    if (value === undefined) return fallback;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      !value.every((item) => typeof item === 'string' && (allowed as readonly string[]).includes(item))
    ) {
      this.issues.push(
        `${path}: expected a non-empty array of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${Array.isArray(value) ? JSON.stringify(value) : describe(value)}`,
      );
      return fallback;
    }
    return value as T[];
  }

  string(table: Record<string, unknown>, path: string, fallback: string | undefined): string {
    const value = table[path.slice(path.lastIndexOf('.') + 1)];
    if (value === undefined) {
      if (fallback === undefined) this.issues.push(`${path}: required`);
      return fallback ?? '';
    }
    if (typeof value !== 'string' || value === '') {
      this.issues.push(`${path}: expected a non-empty string, got ${describe(value)}`);
      return fallback ?? '';
    }
    return value;
  }

  oneOf<T extends string>(
    table: Record<string, unknown>,
    path: string,
    fallback: T,
    allowed: readonly T[],
  ): T {
    const value = table[path.slice(path.lastIndexOf('.') + 1)];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.issues.push(
        `${path}: expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`,
      );
      return fallback;
    }
    return value as T;
  }
}

function resolvePath(path: string, baseDir: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(baseDir, path);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return `${typeof value} ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)}`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
