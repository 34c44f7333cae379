// The three collector configurations as plain objects (agent, gateway, single), built from the
// spec's sampling plan and the deployment options. Rendering to YAML is collector-yaml.ts's job.
import type { TelemetrySpec } from '../spec/types.js';
import { collectorEnv, envRef } from './collector-env.js';
import type { ResolvedCollectorOptions } from './collector-options.js';
import { tailSamplingPlan, type TailSamplingPlan } from './collector-policies.js';

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

function agentClientTls(options: ResolvedCollectorOptions): ConfigObject {
  if (!options.tls) return { insecure: true };
  return {
    ca_file: envRef(collectorEnv.tlsCa),
    cert_file: envRef(collectorEnv.tlsCert),
    key_file: envRef(collectorEnv.tlsKey),
    reload_interval: envRef(collectorEnv.tlsReloadInterval),
  };
}

function spanMetricsConnector(spec: TelemetrySpec): ConfigObject {
  const thresholds: number[] = [];
  for (const policy of spec.sampling?.policies ?? []) {
    if (policy.kind !== 'latency') continue;
    thresholds.push(policy.thresholdMs, ...Object.values(policy.routes ?? {}));
  }
  const buckets = [...new Set([...SPAN_METRICS_BUCKETS_MS, ...thresholds])].sort(
    (left, right) => left - right,
  );
  return {
    histogram: { explicit: { buckets: buckets.map((ms) => `${ms}ms`) } },
    dimensions: [{ name: 'http.route' }],
    aggregation_temporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
    metrics_flush_interval: '15s',
  };
}

function traceBackendExporter(options: ResolvedCollectorOptions): [string, ConfigObject] {
  if (options.traceBackend === 'file') {
    return ['file', { path: envRef(collectorEnv.traceFile), format: 'json', flush_interval: '1s' }];
  }
  return [
    'otlp_grpc/backend',
    {
      endpoint: envRef(collectorEnv.traceBackend),
      sending_queue: { enabled: true, sizer: 'items', queue_size: 100_000 },
      retry_on_failure: {
        enabled: true,
        initial_interval: '1s',
        max_interval: '30s',
        max_elapsed_time: '300s',
      },
    },
  ];
}

function tailSampling(
  spec: TelemetrySpec,
  plan: TailSamplingPlan,
  options: ResolvedCollectorOptions,
): ConfigObject {
  const sampling = spec.sampling;
  const numTraces = sampling?.maxTraces ?? 50_000;
  return {
    decision_wait: `${options.decisionWaitSeconds}s`,
    // The processor ticks in whole seconds, so the spec's grace period rounds up to at least 1 s.
    decision_wait_after_root_received: `${Math.max(1, Math.ceil((sampling?.decisionWaitMs ?? 100) / 1000))}s`,
    num_traces: numTraces,
    // Late spans of a decided trace follow its decision instead of starting a new one.
    decision_cache: { sampled_cache_size: numTraces * 10, non_sampled_cache_size: numTraces * 10 },
    sample_on_first_match: true,
    policies: plan.policies,
  };
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
      batch: { send_batch_size: 1024, send_batch_max_size: 2048, timeout: '200ms' },
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
      },
    },
  };
  return {
    role: 'agent',
    summary:
      'beside each service: receives OTLP on localhost and routes every span of a trace to one gateway',
    config,
    comments: [
      {
        path: ['exporters', 'load_balancing', 'protocol', 'otlp', 'sending_queue'],
        text: [
          'One queue per gateway: while a gateway is unreachable its spans wait here (bounded, in spans)',
          "and are retried, and the app's export call returns at once. Beyond the bound new spans for that",
          'gateway are refused, counted in otelcol_loadbalancer_backend_outcome{success="false"} and',
          'otelcol_exporter_send_failed_spans{exporter="load_balancing"}. (The per-gateway queue depth',
          'is not exported: the load_balancing exporter gives its sub-exporters a no-op meter.)',
        ].join('\n'),
      },
      {
        path: ['exporters', 'load_balancing', 'protocol', 'otlp', 'tls'],
        text: options.tls
          ? TLS_ROTATION_COMMENT
          : 'TLS turned off by the generator options: plaintext between tiers.',
      },
    ],
  };
}

export function gatewayConfig(spec: TelemetrySpec, options: ResolvedCollectorOptions): CollectorConfig {
  const plan = tailSamplingPlan(spec.sampling, options.gatewayCount, options.spansPerTrace);
  return collectorWithSampling('gateway', spec, plan, options);
}

export function singleConfig(spec: TelemetrySpec, options: ResolvedCollectorOptions): CollectorConfig {
  const plan = tailSamplingPlan(spec.sampling, 1, options.spansPerTrace);
  return collectorWithSampling('single', spec, plan, options);
}

function collectorWithSampling(
  role: 'gateway' | 'single',
  spec: TelemetrySpec,
  plan: TailSamplingPlan,
  options: ResolvedCollectorOptions,
): CollectorConfig {
  const [backendName, backend] = traceBackendExporter(options);
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
      tail_sampling: tailSampling(spec, plan, options),
      batch: { send_batch_size: 8192, timeout: '1s' },
    },
    connectors: { span_metrics: spanMetricsConnector(spec) },
    exporters: {
      [backendName]: backend,
      prometheus: { endpoint: envRef(collectorEnv.spanMetrics) },
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
      },
    },
  };
  const comments: Array<{ path: readonly string[]; text: string }> = [...samplingComments(plan, role)];
  if (role === 'gateway' && !options.tls) {
    comments.push({
      path: ['receivers', 'otlp', 'protocols', 'grpc'],
      text: 'TLS turned off by the generator options: agents connect in plaintext.',
    });
  }
  if (role === 'gateway' && options.tls) {
    comments.push(
      {
        path: ['receivers', 'otlp', 'protocols', 'grpc', 'tls'],
        text: `Mutual TLS: only agents whose certificate the CA signed get in.\n${TLS_ROTATION_COMMENT}`,
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
