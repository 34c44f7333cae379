// Prometheus 3 (scripts/peer.sh prometheus) for real-peer tests: started on a free loopback
// port with a given config, rule files and exemplar storage, queried through its HTTP API.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerBinary } from './peers.js';
import { freePort, startProcess, waitFor, type RunningProcess } from './process.js';

export interface ScrapeJob {
  readonly job: string;
  /** host:port of each target. */
  readonly targets: readonly string[];
  /** Default /metrics. */
  readonly metricsPath?: string;
}

export interface PrometheusOptions {
  readonly jobs: readonly ScrapeJob[];
  /** Absolute paths of rule files to load (rule_files). */
  readonly ruleFiles?: readonly string[];
  /** Scrape and rule evaluation interval, default '1s'. */
  readonly interval?: string;
  /** Store exemplars (--enable-feature=exemplar-storage); default true. */
  readonly exemplars?: boolean;
}

export type Labels = Record<string, string>;

/** One answer of /api/v1/query, as Prometheus types it. */
export type QueryResult =
  | { readonly resultType: 'vector'; readonly result: { metric: Labels; value: [number, string] }[] }
  | { readonly resultType: 'matrix'; readonly result: { metric: Labels; values: [number, string][] }[] }
  | { readonly resultType: 'scalar' | 'string'; readonly result: [number, string] };

export interface ExemplarSeries {
  readonly seriesLabels: Labels;
  readonly exemplars: { labels: Labels; value: string; timestamp: number }[];
}

/** An error answer of the HTTP API (errorType "bad_data" is a PromQL parse or type error). */
export class PrometheusApiError extends Error {
  constructor(
    readonly path: string,
    readonly errorType: string,
    readonly detail: string,
  ) {
    super(`Prometheus ${path}: ${errorType}: ${detail}`);
    this.name = 'PrometheusApiError';
  }
}

export interface PrometheusServer {
  readonly url: string;
  readonly process: RunningProcess;
  /** Instant query at `time` (seconds since the epoch; default now). Throws PrometheusApiError. */
  query(expr: string, time?: number): Promise<QueryResult>;
  /** /api/v1/query_exemplars over [start, end] (seconds). */
  queryExemplars(expr: string, start: number, end: number): Promise<ExemplarSeries[]>;
  /** /api/v1/label/<name>/values, optionally restricted by series selectors (match[]). */
  labelValues(name: string, match?: readonly string[]): Promise<string[]>;
  /** /api/v1/targets: the active targets with their health. */
  targets(): Promise<{ labels: Labels; health: string; lastError: string }[]>;
  /** /api/v1/rules: every loaded rule with its health and last evaluation error. */
  rules(): Promise<{ name: string; type: string; query: string; health: string; lastError?: string }[]>;
  /** Ends Prometheus and removes its storage. */
  stop(): Promise<void>;
}

/** Writes the config, starts Prometheus and waits until it is ready; fails at once when it is not built. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const binary = peerBinary('prometheus');
  const interval = options.interval ?? '1s';
  const dir = await mkdtemp(join(tmpdir(), 'plumbline-prometheus-'));
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, prometheusConfig(options.jobs, options.ruleFiles ?? [], interval));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const running = startProcess(binary, [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(options.exemplars === false ? [] : ['--enable-feature=exemplar-storage']),
  ]);
  const stop = async () => {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'Prometheus to be ready',
      async () => {
        if (running.child.exitCode !== null)
          throw new Error(`prometheus exited with ${running.child.exitCode}`);
        return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n--- prometheus output ---\n${running.output().slice(-4000)}`);
  }

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; errorType?: string; error?: string };
    if (body.status !== 'success')
      throw new PrometheusApiError(
        path.split('?')[0]!,
        body.errorType ?? String(response.status),
        body.error ?? '',
      );
    return body.data;
  }

  return {
    url,
    process: running,
    query: (expr, time) =>
      api<QueryResult>(
        `/api/v1/query?query=${encodeURIComponent(expr)}${time === undefined ? '' : `&time=${time}`}`,
      ),
    queryExemplars: (expr, start, end) =>
      api<ExemplarSeries[]>(
        `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`,
      ),
    labelValues: (name, match = []) =>
      api<string[]>(
        `/api/v1/label/${encodeURIComponent(name)}/values${match.length === 0 ? '' : '?'}${match
          .map((m) => `match[]=${encodeURIComponent(m)}`)
          .join('&')}`,
      ),
    targets: async () =>
      (
        await api<{ activeTargets: { labels: Labels; health: string; lastError: string }[] }>(
          '/api/v1/targets',
        )
      ).activeTargets,
    rules: async () =>
      (
        await api<{
          groups: {
            rules: { name: string; type: string; query: string; health: string; lastError?: string }[];
          }[];
        }>('/api/v1/rules')
      ).groups.flatMap((group) => group.rules),
    stop,
  };
}

/** The prometheus.yml for `jobs` (YAML written by hand: every value here is a plain token). */
export function prometheusConfig(
  jobs: readonly ScrapeJob[],
  ruleFiles: readonly string[],
  interval: string,
): string {
  const lines = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
  ];
  if (ruleFiles.length > 0)
    lines.push('rule_files:', ...ruleFiles.map((file) => `  - ${JSON.stringify(file)}`));
  lines.push('scrape_configs:');
  for (const job of jobs) {
    lines.push(
      `  - job_name: ${JSON.stringify(job.job)}`,
      `    metrics_path: ${JSON.stringify(job.metricsPath ?? '/metrics')}`,
      '    static_configs:',
      `      - targets: [${job.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** True when an instant query answered with data: a non-empty vector/matrix, or any scalar. */
export function hasData(result: QueryResult): boolean {
  return result.resultType === 'scalar' || result.resultType === 'string' ? true : result.result.length > 0;
}

/** The sample values of an instant query's answer (NaN kept as NaN). */
export function sampleValues(result: QueryResult): number[] {
  if (result.resultType === 'vector') return result.result.map((s) => Number(s.value[1]));
  if (result.resultType === 'matrix') return result.result.flatMap((s) => s.values.map((v) => Number(v[1])));
  return [Number(result.result[1])];
}
