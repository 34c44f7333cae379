// What the collector generator takes besides the spec: the deployment shape (gateway count,
// resolver, TLS, trace backend) and the one estimate the spans-based limiters need.
import { SpecError, type SpecIssue } from '../../spec/errors.js';
import { didYouMean } from '../../spec/suggest.js';
import type { TelemetrySpec } from '../../spec/types.js';

export interface CollectorOptions {
  /** Gateways behind the agents' load balancer; a trace budget is split across them. Default 2. */
  readonly gatewayCount?: number;
  /**
   * Average spans per trace. The collector's limiters count spans, the spec's budgets count
   * traces: spans_per_second = tracesPerSecond × spansPerTrace / gatewayCount. Default 10.
   */
  readonly spansPerTrace?: number;
  /** How agents find gateways: a static list (env PLUMBLINE_GATEWAY_ENDPOINTS) or a DNS name. Default 'static'. */
  readonly resolver?: 'static' | 'dns';
  /**
   * Mutual TLS between agent and gateway; false writes `insecure: true`. Overrides the spec's
   * `collector.tls`; unset, the spec decides (default true).
   */
  readonly tls?: boolean;
  /**
   * Where kept traces and the apps' log records go: OTLP backends, or JSON-lines files (tests,
   * air-gapped setups; one file for traces, another for logs). Default 'otlp'.
   */
  readonly traceBackend?: 'otlp' | 'file';
  /**
   * Spans (and, in a queue of their own, log records) the agent buffers per gateway while that
   * gateway is unreachable. Default 50000; at least the agent batch's send_batch_max_size (2048),
   * since a batch larger than the queue is refused whole even when the queue is empty.
   */
  readonly agentQueueSpans?: number;
  /** How long a trace waits for its spans when no root span arrives. Default 10 s. */
  readonly decisionWaitSeconds?: number;
}

/** Who decided `tls`: the generator options, the spec's `collector.tls`, or the default (on). */
export type TlsSource = 'options' | 'spec' | 'default';

export type ResolvedCollectorOptions = Required<CollectorOptions> & { readonly tlsSource: TlsSource };

/**
 * The agent's batch processor. Its send_batch_max_size is also the smallest queue that works:
 * the exporter's queue refuses a request that does not fit whole (size + request > capacity).
 */
export const agentBatch = { send_batch_size: 1024, send_batch_max_size: 2048, timeout: '200ms' } as const;
/** agentBatch.timeout in ms: the longest a span waits in the agent before it goes on. */
export const AGENT_BATCH_TIMEOUT_MS = 200;

/**
 * The longest decision_wait the collector reads, in whole seconds: Go's time.Duration is int64
 * nanoseconds. A longer one made a config the collector refused ("'decision_wait' time: invalid
 * duration"; regression: collector-decision-wait-longer-than-a-go-duration).
 */
export const MAX_DECISION_WAIT_SECONDS = 9_223_372_036;

export const defaultCollectorOptions: Required<CollectorOptions> = {
  gatewayCount: 2,
  spansPerTrace: 10,
  resolver: 'static',
  tls: true,
  traceBackend: 'otlp',
  agentQueueSpans: 50_000,
  decisionWaitSeconds: 10,
};

/**
 * Fills defaults and rejects nonsense with errors that name the option. TLS: the option, else
 * the spec's `collector.tls`, else on.
 */
export function resolveCollectorOptions(
  options: CollectorOptions = {},
  spec?: Pick<TelemetrySpec, 'collector'>,
): ResolvedCollectorOptions {
  const specTls = spec?.collector?.tls;
  const tlsSource: TlsSource =
    options.tls !== undefined ? 'options' : specTls !== undefined ? 'spec' : 'default';
  const resolved = {
    ...defaultCollectorOptions,
    ...(specTls === undefined ? {} : { tls: specTls }),
    ...stripUndefined(options),
    tlsSource,
  };
  const issues: SpecIssue[] = [];
  const positiveInteger = (field: keyof CollectorOptions, value: number) => {
    if (!Number.isInteger(value) || value < 1)
      issues.push({ path: `options.${field}`, message: `expected an integer >= 1, got ${value}` });
  };
  positiveInteger('gatewayCount', resolved.gatewayCount);
  positiveInteger('agentQueueSpans', resolved.agentQueueSpans);
  positiveInteger('decisionWaitSeconds', resolved.decisionWaitSeconds);
  if (
    Number.isInteger(resolved.decisionWaitSeconds) &&
    resolved.decisionWaitSeconds > MAX_DECISION_WAIT_SECONDS
  ) {
    issues.push({
      path: 'options.decisionWaitSeconds',
      message: `expected at most ${MAX_DECISION_WAIT_SECONDS} (the collector's longest duration, Go's int64 nanoseconds: about 292 years), got ${resolved.decisionWaitSeconds}`,
    });
  }
  if (
    Number.isInteger(resolved.agentQueueSpans) &&
    resolved.agentQueueSpans >= 1 &&
    resolved.agentQueueSpans < agentBatch.send_batch_max_size
  ) {
    issues.push({
      path: 'options.agentQueueSpans',
      message:
        `expected at least ${agentBatch.send_batch_max_size} (the agent batch's send_batch_max_size: ` +
        `a batch larger than the queue is refused whole), got ${resolved.agentQueueSpans}`,
    });
  }
  if (typeof resolved.tls !== 'boolean') {
    issues.push({
      path: tlsSource === 'spec' ? 'collector.tls' : 'options.tls',
      message: `expected true or false, got ${JSON.stringify(resolved.tls)}`,
    });
  }
  if (!Number.isFinite(resolved.spansPerTrace) || resolved.spansPerTrace < 1) {
    issues.push({
      path: 'options.spansPerTrace',
      message: `expected a number >= 1, got ${resolved.spansPerTrace}`,
    });
  }
  if (resolved.resolver !== 'static' && resolved.resolver !== 'dns') {
    issues.push({
      path: 'options.resolver',
      message: `expected "static" or "dns", got ${JSON.stringify(resolved.resolver)}${didYouMean(resolved.resolver, ['static', 'dns'])}`,
    });
  }
  if (resolved.traceBackend !== 'otlp' && resolved.traceBackend !== 'file') {
    issues.push({
      path: 'options.traceBackend',
      message: `expected "otlp" or "file", got ${JSON.stringify(resolved.traceBackend)}${didYouMean(resolved.traceBackend, ['otlp', 'file'])}`,
    });
  }
  if (issues.length > 0) throw new SpecError(issues);
  return resolved;
}

function stripUndefined(options: CollectorOptions): CollectorOptions {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as CollectorOptions;
}
