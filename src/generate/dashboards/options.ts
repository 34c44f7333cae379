// Options of the dashboard generator, their defaults and their validation (errors name the field).
import { createHash } from 'node:crypto';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { TelemetrySpec } from '../../spec/types.js';

export interface DashboardOptions {
  /** Where provisioned Grafana reaches Prometheus. Default http://localhost:9090. */
  readonly prometheusUrl?: string;
  /** Where provisioned Grafana reaches Tempo. Default http://localhost:3200. */
  readonly tempoUrl?: string;
  /** The directory Grafana reads the dashboard JSON from. Default /var/lib/grafana/dashboards/plumbline. */
  readonly dashboardsPath?: string;
  /** The Grafana folder the dashboards go in. Default "plumbline". */
  readonly folder?: string;
  /** Exemplar label that carries the trace id. Default trace_id. */
  readonly exemplarTraceIdLabel?: string;
  /** Rows in the slow-traces tables. Default 20. */
  readonly traceLimit?: number;
}

export interface ResolvedDashboardOptions {
  readonly prometheusUrl: string;
  readonly tempoUrl: string;
  readonly dashboardsPath: string;
  readonly folder: string;
  readonly exemplarTraceIdLabel: string;
  readonly traceLimit: number;
}

/** What a dashboard needs to know about where it lives: uid, tags, table sizes, exemplar label. */
export interface DashboardIdentity {
  readonly slug: string;
  readonly tags: readonly string[];
  readonly traceLimit: number;
  /** The exemplar label that carries the trace id, as the Prometheus datasource names it. */
  readonly exemplarTraceIdLabel: string;
  uid(kind: string): string;
}

/** A target that dashboard-linter should not hold to a rule, with the reason (its `.lint` file). */
export interface LintExclusion {
  readonly rule: string;
  readonly reason: string;
  readonly dashboard: string;
  readonly panel: string;
}

/** A dashboard and the lint exclusions its panels need. */
export interface GeneratedDashboard {
  readonly dashboard: Dashboard;
  readonly lintExclusions: readonly LintExclusion[];
}

export function resolveDashboardOptions(options: DashboardOptions = {}): ResolvedDashboardOptions {
  const resolved: ResolvedDashboardOptions = {
    prometheusUrl: options.prometheusUrl ?? 'http://localhost:9090',
    tempoUrl: options.tempoUrl ?? 'http://localhost:3200',
    dashboardsPath: options.dashboardsPath ?? '/var/lib/grafana/dashboards/plumbline',
    folder: options.folder ?? 'plumbline',
    exemplarTraceIdLabel: options.exemplarTraceIdLabel ?? 'trace_id',
    traceLimit: options.traceLimit ?? 20,
  };
  for (const field of ['prometheusUrl', 'tempoUrl'] as const) {
    if (!/^https?:\/\/\S+$/.test(resolved[field])) {
      throw new Error(
        `dashboards option ${field}: expected an http(s) URL, got ${JSON.stringify(resolved[field])}`,
      );
    }
  }
  if (!resolved.dashboardsPath.startsWith('/')) {
    throw new Error(
      `dashboards option dashboardsPath: expected an absolute path, got ${JSON.stringify(resolved.dashboardsPath)}`,
    );
  }
  if (resolved.folder.trim() === '')
    throw new Error('dashboards option folder: expected a non-empty folder name');
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(resolved.exemplarTraceIdLabel)) {
    throw new Error(
      `dashboards option exemplarTraceIdLabel: expected a Prometheus label name, got ${JSON.stringify(resolved.exemplarTraceIdLabel)}`,
    );
  }
  if (!Number.isInteger(resolved.traceLimit) || resolved.traceLimit < 1 || resolved.traceLimit > 1000) {
    throw new Error(
      `dashboards option traceLimit: expected an integer from 1 to 1000, got ${resolved.traceLimit}`,
    );
  }
  return resolved;
}

/**
 * Grafana uids are at most 40 characters of [a-zA-Z0-9-_]; the longest suffix is "-pipeline" (9),
 * and slugs have always been cut at 30.
 */
const MAX_SLUG_LENGTH = 30;
/** Hex digits of the name's hash in a slug made from a changed name (32 bits). */
const SLUG_HASH_LENGTH = 8;

/**
 * The slug of the dashboards' uids, tags and file names. A service name that already is a slug
 * (lowercase letters, digits, `-` and `_`, no leading or trailing `-`, at most 30 characters) is
 * its own slug, so the uids of such services never change. Any other name is lowercased, its other
 * characters become `-` and it is cut, and then the slug ends in a hash of the original name:
 * `payment.worker` and `payment-worker`, or two names sharing a long prefix, would otherwise get
 * one uid, and Grafana provisioning keeps only one of the dashboards.
 */
export function dashboardSlug(serviceName: string): string {
  const cleaned = serviceName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (cleaned === '') {
    throw new Error(
      `spec service.name: ${JSON.stringify(serviceName)} has no letters or digits for a dashboard uid`,
    );
  }
  if (cleaned === serviceName && cleaned.length <= MAX_SLUG_LENGTH) return cleaned;
  const hash = createHash('sha256').update(serviceName, 'utf8').digest('hex').slice(0, SLUG_HASH_LENGTH);
  const prefix = cleaned.slice(0, MAX_SLUG_LENGTH - SLUG_HASH_LENGTH - 1).replace(/-+$/, '');
  return `${prefix}-${hash}`;
}

export function dashboardIdentity(spec: TelemetrySpec, options: ResolvedDashboardOptions): DashboardIdentity {
  const slug = dashboardSlug(spec.service.name);
  return {
    slug,
    tags: ['plumbline', slug],
    traceLimit: options.traceLimit,
    exemplarTraceIdLabel: options.exemplarTraceIdLabel,
    uid: (kind) => `${slug}-${kind}`,
  };
}
