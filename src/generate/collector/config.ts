// The three collector configurations as plain objects (agent, gateway, single), built from the
// spec's sampling plan and the deployment options. Rendering to YAML is collector-yaml.ts's job.
import { SpecError, specPath, type SpecIssue } from '../../spec/errors.js';
import type { SpecModel } from '../../spec/model.js';
import { DEFAULT_DECISION_WAIT_MS } from '../../spec/sampling-settings.js';
import { APP_METRICS_PORT, SERVICE_METRICS_PORT, collectorEnv, envRef } from './env.js';
import { AGENT_BATCH_TIMEOUT_MS, agentBatch, type ResolvedCollectorOptions } from './options.js';
import { tailSamplingPlan, type TailSamplingPlan } from './policies.js';

type ConfigObject = Record<string, unknown>;

/** A config plus the comments the YAML carries beside its sections. */
export interface CollectorConfig {
  readonly role: 'agent' | 'gateway' | 'single';
  readonly summary: string;
  readonly config: ConfigObject;
  /** Comments keyed by a path into `config` (e.g. ['processors', 'tail_sampling']). */
  readonly comments: ReadonlyArray<{ readonly path: readonly string[]; readonly text: string }>;
  readonly plan?: TailSamplingPlan;
}

/** tail_sampling's num_traces when the spec sets no maxTraces. */
const GATEWAY_DEFAULT_NUM_TRACES = 50_000;

/** spanmetrics' own default ladder; the spec's latency thresholds are added so each is a bucket edge. */
const SPAN_METRICS_BUCKETS_MS = [
  2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000,
];

const healthCheck = () => ({ endpoint: envRef(collectorEnv.health) });

const memoryLimiter = () => ({ check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 });

/** The collector's own metrics (queue sizes, refused and failed spans) on a Prometheus endpoint. */
const selfTelemetry = () => ({
  metrics: {
    level: 'normal',
    readers: [
      {
        pull: {
          exporter: {
            prometheus: { host: envRef(collectorEnv.metricsHost), port: envRef(collectorEnv.metricsPort) },
          },
        },
      },
    ],
  },
});

function otlpReceiver(
  grpcEndpoint: string,
  httpEndpoint: string | undefined,
  serverTls: ConfigObject | undefined,
): ConfigObject {
  const grpc: ConfigObject = { endpoint: grpcEndpoint };
  if (serverTls !== undefined) {
    grpc['tls'] = serverTls;
    grpc['keepalive'] = rotatingConnections();
  }
  const protocols: ConfigObject = { grpc };
  if (httpEndpoint !== undefined) protocols['http'] = { endpoint: httpEndpoint };
  return { protocols };
}

/** Mutual TLS: the gateway only accepts agents whose certificate the shared CA signed. */
function gatewayServerTls(): ConfigObject {
  return {
    cert_file: envRef(collectorEnv.tlsCert),
    key_file: envRef(collectorEnv.tlsKey),
    client_ca_file: envRef(collectorEnv.tlsCa),
    client_ca_file_reload: true,
    reload_interval: envRef(collectorEnv.tlsReloadInterval),
  };
}

/**
 * A reloaded certificate only takes part in new handshakes, and an agent keeps its gRPC
 * connection for as long as it lives; closing connections after an age makes every agent
 * handshake again, so a rotated key on either side is in use within reload interval + age.
 */
function rotatingConnections(): ConfigObject {
  return {
    server_parameters: {
      max_connection_age: envRef(collectorEnv.gatewayMaxConnectionAge),
      // Longer than the agent's 5 s export timeout: an export in flight finishes on the old connection.
      max_connection_age_grace: '10s',
    },
  };
}

const TLS_ROTATION_COMMENT = [
  'Rotation without a restart: the certificate and key files are re-read at the first handshake',
  'PLUMBLINE_TLS_RELOAD_INTERVAL after the last read. Replace both files by rename (a Kubernetes',
  'secret volume swaps them at once); a handshake that reads a new certificate with the old key',
  'fails, is retried by the agent, and reads them again.',
].join('\n');

/** Says in the YAML who turned TLS off (or on against the spec), so a reviewer sees it. */
function tlsDecision(options: ResolvedCollectorOptions): string | undefined {
  if (!options.tls) {
    return options.tlsSource === 'spec'
      ? 'TLS turned off by the spec: collector.tls = false'
      : 'TLS turned off by the generator options (tls = false)';
  }
  return undefined;
}

function agentClientTls(options: ResolvedCollectorOptions): ConfigObject {
  if (!options.tls) return { insecure: true };
  return {
    ca_file: envRef(collectorEnv.tlsCa),
    cert_file: envRef(collectorEnv.tlsCert),
    key_file: envRef(collectorEnv.tlsKey),
    reload_interval: envRef(collectorEnv.tlsReloadInterval),
  };
}

/**
 * The longest duration the collector holds, in ms: Go's time.Duration is int64 nanoseconds
 * (about 292 years); `time.ParseDuration` refuses a longer one ("invalid duration").
 */
export const MAX_COLLECTOR_DURATION_MS = 9_223_372_036_854.775;

/**
 * A duration as Go's time.ParseDuration reads it: decimal ms to the nanosecond it holds, never an
 * exponent (`1e-7ms`, `1e+300ms` failed `otelcol validate` with "time: unknown unit"; regression:
 * collector-duration-written-with-exponent). A positive duration under 1 ns is 1 ns, not 0.
 */
export function goDurationMs(ms: number): string {
  const decimal = ms.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return `${decimal === '0' && ms > 0 ? '0.000001' : decimal}ms`;
}

/**
 * The latency policies' thresholds, each a bucket edge of the span metrics; a threshold longer
 * than a Go duration is refused by name (the collector can neither bucket nor compare with it).
 */
function latencyThresholds(model: SpecModel): number[] {
  const thresholds: number[] = [];
  const issues: SpecIssue[] = [];
  const check = (path: string, ms: number) => {
    if (ms <= MAX_COLLECTOR_DURATION_MS) thresholds.push(ms);
    else
      issues.push({
        path,
        message: `${ms} ms is longer than the collector's longest duration (${MAX_COLLECTOR_DURATION_MS} ms, about 292 years, Go's int64 nanoseconds)`,
      });
  };
  for (const [index, policy] of (model.sampling?.policies ?? []).entries()) {
    if (policy.kind !== 'latency') continue;
    check(specPath('sampling', 'policies', index, 'thresholdMs'), policy.thresholdMs);
    for (const [route, ms] of Object.entries(policy.routes ?? {}))
      check(specPath('sampling', 'policies', index, 'routes', route), ms);
  }
  if (issues.length > 0) throw new SpecError(issues);
  return thresholds;
}

function spanMetricsConnector(model: SpecModel): ConfigObject {
  const thresholds = latencyThresholds(model);
  // Sorted by value, and one edge per duration the collector holds (two thresholds under 1 ns apart are one).
  const buckets = [
    ...new Set(
      [...SPAN_METRICS_BUCKETS_MS, ...thresholds].sort((left, right) => left - right).map(goDurationMs),
    ),
  ];
  return {
    histogram: { explicit: { buckets } },
    dimensions: [{ name: 'http.route' }],
    aggregation_temporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
    metrics_flush_interval: '15s',
  };
}

function otlpBackend(endpoint: string): ConfigObject {
  return {
    endpoint,
    // TLS with the system CAs unless the deployment says the backend speaks plaintext: without
    // this a plaintext backend only logged "first record does not look like a TLS handshake".
    tls: { insecure: envRef(collectorEnv.backendTlsInsecure) },
    sending_queue: { enabled: true, sizer: 'items', queue_size: 100_000 },
    retry_on_failure: {
      enabled: true,
      initial_interval: '1s',
      max_interval: '30s',
      max_elapsed_time: '300s',
    },
  };
}

function fileBackend(path: string): ConfigObject {
  return { path, format: 'json', flush_interval: '1s' };
}

function traceBackendExporter(options: ResolvedCollectorOptions): [string, ConfigObject] {
  if (options.traceBackend === 'file') return ['file', fileBackend(envRef(collectorEnv.traceFile))];
  return ['otlp_grpc/backend', otlpBackend(envRef(collectorEnv.traceBackend))];
}

/**
 * Log records get an exporter of their own: many trace stores refuse logs, and a trace file that
 * holds only spans stays readable by trace tools (and by the tests' trace-file readers).
 */
function logBackendExporter(options: ResolvedCollectorOptions): [string, ConfigObject] {
  if (options.traceBackend === 'file') return ['file/logs', fileBackend(envRef(collectorEnv.logFile))];
  return ['otlp_grpc/logs', otlpBackend(envRef(collectorEnv.logBackend))];
}

/**
 * The apps' OTLP metrics, for Prometheus to scrape. OpenMetrics, because the text format has
 * no exemplars; a pull exporter only updates its state per request, so no batch before it.
 */
const appMetricsExporter = (): ConfigObject => ({
  endpoint: envRef(collectorEnv.appMetrics),
  enable_open_metrics: true,
  // The series then match the service's own /metrics (plus job and instance from the resource).
  without_scope_info: true,
});

function appMetricsComment(role: 'agent' | 'single'): string {
  const served =
    "The apps' OTLP metrics (plumbline's exporter sends exemplars) are served here for Prometheus to";
  return [
    ...(role === 'agent'
      ? [
          served,
          'scrape, beside the app: trace-ID routing does not apply to metrics, and a metric stream sent',
          'to whichever gateway holds it today would move (and restart its counters) when the ring changes.',
        ]
      : [`${served} scrape.`]),
    "Scrape this endpoint or the service's own /metrics, not both (the series would be counted twice),",
    'with honor_labels: true so that job is the service.name the exporter sets.',
    `Default port ${APP_METRICS_PORT}, not ${SERVICE_METRICS_PORT}: that is the service's own /metrics by convention (the OTel`,
    'Prometheus exporter default), and this collector runs beside the service.',
  ].join('\n');
}

/** The OTel SDK batch span processor's default export delay (OTEL_BSP_SCHEDULE_DELAY). */
const SDK_EXPORT_DELAY_MS = 5_000;

function tailSampling(
  model: SpecModel,
  plan: TailSamplingPlan,
  options: ResolvedCollectorOptions,
): ConfigObject {
  // The one setting read as written: a gateway holds every service's traces, so unset it gets a
  // gateway's default, not the in-process buffer's (DEFAULT_MAX_TRACES).
  const numTraces = model.sampling?.section.maxTraces ?? GATEWAY_DEFAULT_NUM_TRACES;
  const decisionWaitMs = model.sampling?.decisionWaitMs ?? DEFAULT_DECISION_WAIT_MS;
  // After the root arrives, the spans of the trace's other processes may still be on their way:
  // each service exports on its own schedule (the SDK's batch processor, 5 s by default), then
  // the agent batches. Deciding after the spec's in-process grace alone (1 s) dropped the late
  // part of traces that span processes (a topology trial: 16 of 344 error traces whose error was
  // in the second process). The processor ticks in whole seconds; decision_wait bounds it anyway.
  const afterRootMs = decisionWaitMs + SDK_EXPORT_DELAY_MS + AGENT_BATCH_TIMEOUT_MS;
  return {
    decision_wait: `${options.decisionWaitSeconds}s`,
    decision_wait_after_root_received: `${Math.min(options.decisionWaitSeconds, Math.ceil(afterRootMs / 1000))}s`,
    num_traces: numTraces,
    // Late spans of a decided trace follow its decision instead of starting a new one.
    decision_cache: { sampled_cache_size: numTraces * 10, non_sampled_cache_size: numTraces * 10 },
    sample_on_first_match: true,
    policies: plan.policies.map(literalForConfmap),
  };
}

/**
 * The collector expands `${...}` in every string of its config and reads `$$` as `$`: a spec's
 * attribute value `a$$b` matched `a$b`, and `${env:NAME}` matched the collector's environment
 * variable (regression: collector-dollar-in-spec-values-expanded). Every `$` of the spec's
 * names and values is written `$$`, so the collector reads them as written.
 */
function literalForConfmap<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('$', () => '$$') as T;
  if (Array.isArray(value)) return value.map(literalForConfmap) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, literalForConfmap(inner)]),
    ) as T;
  return value;
}

function samplingComments(plan: TailSamplingPlan, role: string): CollectorConfig['comments'] {
  const lines = [
    `Policies from the spec's sampling section, in order; the first that keeps a trace decides,`,
    `so budgets (last) are spent on baseline traces only.`,
    ...plan.notes.map((note) => `- ${note}`),
  ];
  if (role === 'single') lines.push('- single collector: the whole budget applies here (gatewayCount = 1)');
  return [{ path: ['processors', 'tail_sampling'], text: lines.join('\n') }];
}

export function agentConfig(options: ResolvedCollectorOptions): CollectorConfig {
  const resolver =
    options.resolver === 'dns'
      ? {
          dns: {
            hostname: envRef(collectorEnv.gatewayDnsName),
            port: envRef(collectorEnv.gatewayDnsPort),
            interval: '5s',
            timeout: '1s',
          },
        }
      : { static: { hostnames: envRef(collectorEnv.gatewayEndpoints) } };
  const config: ConfigObject = {
    extensions: { health_check: healthCheck() },
    receivers: {
      otlp: otlpReceiver(envRef(collectorEnv.agentGrpc), envRef(collectorEnv.agentHttp), undefined),
    },
    processors: {
      memory_limiter: memoryLimiter(),
      batch: { ...agentBatch },
    },
    exporters: {
      load_balancing: {
        routing_key: 'traceID',
        protocol: {
          otlp: {
            timeout: '5s',
            tls: agentClientTls(options),
            sending_queue: {
              enabled: true,
              sizer: 'items',
              queue_size: envRef(collectorEnv.agentQueueSpans, String(options.agentQueueSpans)),
              num_consumers: 4,
            },
            retry_on_failure: {
              enabled: true,
              initial_interval: '1s',
              max_interval: '5s',
              max_elapsed_time: '300s',
            },
          },
        },
        resolver,
      },
      'prometheus/app': appMetricsExporter(),
    },
    service: {
      extensions: ['health_check'],
      telemetry: selfTelemetry(),
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'batch'],
          exporters: ['load_balancing'],
        },
        logs: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'batch'],
          exporters: ['load_balancing'],
        },
        metrics: {
          receivers: ['otlp'],
          processors: ['memory_limiter'],
          exporters: ['prometheus/app'],
        },
      },
    },
  };
  const decision = tlsDecision(options);
  return {
    role: 'agent',
    summary:
      'beside each service: receives OTLP on localhost and routes every span of a trace to one gateway',
    config,
    comments: [
      {
        path: ['exporters', 'load_balancing'],
        text: [
          'Log records are routed by trace ID too: all records of one trace reach one gateway, records',
          'without a trace ID any gateway. Not necessarily the gateway holding the spans: v0.161 hashes a',
          "span's trace ID as 16 bytes and a log record's as hex text. Nothing here needs them together:",
          'gateways pass log records through unsampled.',
        ].join('\n'),
      },
      {
        path: ['exporters', 'load_balancing', 'protocol', 'otlp', 'sending_queue'],
        text: [
          'One queue per gateway and signal: while a gateway is unreachable its spans (and, in a queue of',
          "their own, its log records) wait here, bounded in items, and are retried; the app's export call",
          'returns at once. Beyond the bound new items for that gateway are refused, counted in',
          'otelcol_loadbalancer_backend_outcome{success="false"} and otelcol_exporter_send_failed_spans /',
          '_log_records{exporter="load_balancing"}. (The per-gateway queue depth is not exported: the',
          'load_balancing exporter gives its sub-exporters a no-op meter.)',
          `PLUMBLINE_AGENT_QUEUE_SPANS must be at least ${agentBatch.send_batch_max_size}, the batch processor's send_batch_max_size:`,
          'a batch larger than the queue is refused whole, even by an empty queue.',
        ].join('\n'),
      },
      {
        path: ['exporters', 'load_balancing', 'protocol', 'otlp', 'tls'],
        text: decision === undefined ? tlsOnComment(options) : `${decision}; plaintext between tiers.`,
      },
      { path: ['exporters', 'prometheus/app'], text: appMetricsComment('agent') },
    ],
  };
}

/** The rotation note, led by a line when the options turned TLS on against the spec's opt-out. */
function tlsOnComment(options: ResolvedCollectorOptions): string {
  return options.tlsSource === 'options'
    ? `TLS turned on by the generator options (tls = true), whatever the spec's collector.tls says.\n${TLS_ROTATION_COMMENT}`
    : TLS_ROTATION_COMMENT;
}

export function gatewayConfig(model: SpecModel, options: ResolvedCollectorOptions): CollectorConfig {
  const plan = tailSamplingPlan(model.sampling?.section, options.gatewayCount, options.spansPerTrace);
  return collectorWithSampling('gateway', model, plan, options);
}

export function singleConfig(model: SpecModel, options: ResolvedCollectorOptions): CollectorConfig {
  const plan = tailSamplingPlan(model.sampling?.section, 1, options.spansPerTrace);
  return collectorWithSampling('single', model, plan, options);
}

function collectorWithSampling(
  role: 'gateway' | 'single',
  model: SpecModel,
  plan: TailSamplingPlan,
  options: ResolvedCollectorOptions,
): CollectorConfig {
  const [backendName, backend] = traceBackendExporter(options);
  const [logBackendName, logBackend] = logBackendExporter(options);
  const receiver =
    role === 'gateway'
      ? otlpReceiver(
          envRef(collectorEnv.gatewayGrpc),
          undefined,
          options.tls ? gatewayServerTls() : undefined,
        )
      : otlpReceiver(envRef(collectorEnv.agentGrpc), envRef(collectorEnv.agentHttp), undefined);
  const config: ConfigObject = {
    extensions: { health_check: healthCheck() },
    receivers: { otlp: receiver },
    processors: {
      memory_limiter: memoryLimiter(),
      tail_sampling: tailSampling(model, plan, options),
      batch: { send_batch_size: 8192, timeout: '1s' },
    },
    connectors: { span_metrics: spanMetricsConnector(model) },
    exporters: {
      [backendName]: backend,
      [logBackendName]: logBackend,
      prometheus: { endpoint: envRef(collectorEnv.spanMetrics) },
      ...(role === 'single' ? { 'prometheus/app': appMetricsExporter() } : {}),
      debug: { verbosity: 'basic', sampling_initial: 5, sampling_thereafter: 1000 },
    },
    service: {
      extensions: ['health_check'],
      telemetry: selfTelemetry(),
      pipelines: {
        // Span metrics see every span, before sampling, so rates and latencies are not biased by it.
        'traces/spanmetrics': {
          receivers: ['otlp'],
          processors: ['memory_limiter'],
          exporters: ['span_metrics'],
        },
        'traces/sampled': {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'tail_sampling', 'batch'],
          exporters: [backendName, 'debug'],
        },
        'metrics/spanmetrics': { receivers: ['span_metrics'], exporters: ['prometheus'] },
        logs: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'batch'],
          exporters: [logBackendName],
        },
        ...(role === 'single'
          ? {
              metrics: { receivers: ['otlp'], processors: ['memory_limiter'], exporters: ['prometheus/app'] },
            }
          : {}),
      },
    },
  };
  const comments: Array<{ path: readonly string[]; text: string }> = [...samplingComments(plan, role)];
  comments.push({
    path: ['service', 'pipelines', 'logs'],
    text: [
      "The apps' log records (plumbline's event lines over OTLP) are not tail-sampled: every record",
      'goes to the log store; its trace_id links it to the trace when the trace was kept.',
    ].join('\n'),
  });
  if (role === 'single')
    comments.push({ path: ['exporters', 'prometheus/app'], text: appMetricsComment('single') });
  const decision = tlsDecision(options);
  if (role === 'gateway' && decision !== undefined) {
    comments.push({
      path: ['receivers', 'otlp', 'protocols', 'grpc'],
      text: `${decision}; agents connect in plaintext.`,
    });
  }
  if (role === 'gateway' && options.tls) {
    comments.push(
      {
        path: ['receivers', 'otlp', 'protocols', 'grpc', 'tls'],
        text: `Mutual TLS: only agents whose certificate the CA signed get in.\n${tlsOnComment(options)}`,
      },
      {
        path: ['receivers', 'otlp', 'protocols', 'grpc', 'keepalive'],
        text: [
          'A reloaded certificate is used by new handshakes only; agents reconnect after',
          'PLUMBLINE_GATEWAY_MAX_CONNECTION_AGE, so a rotated key is in use everywhere within',
          'reload interval + age (the agent retries and queues, nothing is lost on reconnect).',
        ].join('\n'),
      },
    );
  }
  return {
    role,
    summary:
      role === 'gateway'
        ? `one of ${options.gatewayCount} gateways: tail-samples whole traces, keeps its share of each budget, exports kept traces`
        : 'one collector doing agent and gateway work, for small setups (the whole budget applies here)',
    config,
    comments,
    plan,
  };
}
