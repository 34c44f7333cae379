// What the collector generator takes besides the spec: the deployment shape (gateway count,
// resolver, TLS, trace backend) and the one estimate the spans-based limiters need.
import { SpecError, type SpecIssue } from '../spec/errors.js';

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
  /** Mutual TLS between agent and gateway. Default true; false writes `insecure: true`. */
  readonly tls?: boolean;
  /** Where kept traces go: an OTLP backend, or a JSON-lines file (tests, air-gapped setups). Default 'otlp'. */
  readonly traceBackend?: 'otlp' | 'file';
  /** Spans the agent buffers per gateway while that gateway is unreachable. Default 50000. */
  readonly agentQueueSpans?: number;
  /** How long a trace waits for its spans when no root span arrives. Default 10 s. */
  readonly decisionWaitSeconds?: number;
}

export type ResolvedCollectorOptions = Required<CollectorOptions>;

export const defaultCollectorOptions: ResolvedCollectorOptions = {
  gatewayCount: 2,
  spansPerTrace: 10,
  resolver: 'static',
  tls: true,
  traceBackend: 'otlp',
  agentQueueSpans: 50_000,
  decisionWaitSeconds: 10,
};

/** Fills defaults and rejects nonsense with errors that name the option. */
export function resolveCollectorOptions(options: CollectorOptions = {}): ResolvedCollectorOptions {
  const resolved = { ...defaultCollectorOptions, ...stripUndefined(options) };
  const issues: SpecIssue[] = [];
  const positiveInteger = (field: keyof CollectorOptions, value: number) => {
    if (!Number.isInteger(value) || value < 1)
      issues.push({ path: `options.${field}`, message: `expected an integer >= 1, got ${value}` });
  };
  positiveInteger('gatewayCount', resolved.gatewayCount);
  positiveInteger('agentQueueSpans', resolved.agentQueueSpans);
  positiveInteger('decisionWaitSeconds', resolved.decisionWaitSeconds);
  if (!Number.isFinite(resolved.spansPerTrace) || resolved.spansPerTrace < 1) {
    issues.push({
      path: 'options.spansPerTrace',
      message: `expected a number >= 1, got ${resolved.spansPerTrace}`,
    });
  }
  if (resolved.resolver !== 'static' && resolved.resolver !== 'dns') {
    issues.push({
      path: 'options.resolver',
      message: `expected "static" or "dns", got ${JSON.stringify(resolved.resolver)}`,
    });
  }
  if (resolved.traceBackend !== 'otlp' && resolved.traceBackend !== 'file') {
    issues.push({
      path: 'options.traceBackend',
      message: `expected "otlp" or "file", got ${JSON.stringify(resolved.traceBackend)}`,
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
