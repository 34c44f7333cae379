// The environment variables the generated collector configs read, with their defaults: the
// committed files stay the same everywhere and each deployment (or test) sets ports and paths.

export interface CollectorEnvVar {
  readonly name: string;
  readonly defaultValue: string;
  readonly meaning: string;
}

function envVar(name: string, defaultValue: string, meaning: string): CollectorEnvVar {
  return { name, defaultValue, meaning };
}

/**
 * Where a service serves its own /metrics by convention: the OTel Prometheus exporter's default,
 * used by docs/metrics.md and the blueprint. An agent (or single collector) runs beside the
 * service, so nothing of the collector's may listen there.
 */
export const SERVICE_METRICS_PORT = 9464;

/**
 * The agent's (and single's) re-exposed app metrics: the next port of the collector's own
 * 888x family (8888 its own metrics, 8889 span metrics, which single.yaml serves too).
 */
export const APP_METRICS_PORT = 8890;

/** Every variable, in the order the docs list them. */
export const collectorEnv = {
  agentGrpc: envVar(
    'PLUMBLINE_AGENT_OTLP_GRPC_ENDPOINT',
    'localhost:4317',
    'agent/single: OTLP gRPC listen address (apps on this host)',
  ),
  agentHttp: envVar(
    'PLUMBLINE_AGENT_OTLP_HTTP_ENDPOINT',
    'localhost:4318',
    'agent/single: OTLP HTTP listen address',
  ),
  gatewayEndpoints: envVar(
    'PLUMBLINE_GATEWAY_ENDPOINTS',
    '[gateway-1:4317,gateway-2:4317]',
    'agent (static resolver): YAML list of gateway host:port',
  ),
  gatewayDnsName: envVar(
    'PLUMBLINE_GATEWAY_DNS_NAME',
    'otelcol-gateway',
    'agent (dns resolver): name whose A records are the gateways',
  ),
  gatewayDnsPort: envVar(
    'PLUMBLINE_GATEWAY_DNS_PORT',
    '4317',
    'agent (dns resolver): gateway OTLP gRPC port',
  ),
  agentQueueSpans: envVar(
    'PLUMBLINE_AGENT_QUEUE_SPANS',
    '',
    'agent: spans (and, separately, log records) buffered per gateway while it is unreachable; at least 2048, the batch maximum (default from the generator)',
  ),
  appMetrics: envVar(
    'PLUMBLINE_APP_METRICS_ENDPOINT',
    `0.0.0.0:${APP_METRICS_PORT}`,
    "agent/single: Prometheus scrape endpoint (OpenMetrics, with exemplars) for the apps' OTLP metrics",
  ),
  gatewayGrpc: envVar(
    'PLUMBLINE_GATEWAY_OTLP_GRPC_ENDPOINT',
    '0.0.0.0:4317',
    'gateway: OTLP gRPC listen address (agents connect here)',
  ),
  traceBackend: envVar(
    'PLUMBLINE_TRACE_BACKEND_ENDPOINT',
    'trace-backend:4317',
    'gateway/single: OTLP gRPC endpoint of the trace store',
  ),
  backendTlsInsecure: envVar(
    'PLUMBLINE_BACKEND_TLS_INSECURE',
    'false',
    'gateway/single: true sends to the trace and log backends in plaintext (a backend on the same host or network without TLS); TLS with the system CAs otherwise',
  ),
  traceFile: envVar(
    'PLUMBLINE_TRACE_FILE',
    '/var/lib/plumbline/traces.jsonl',
    'gateway/single (file backend): where kept traces are written',
  ),
  logBackend: envVar(
    'PLUMBLINE_LOG_BACKEND_ENDPOINT',
    'log-backend:4317',
    'gateway/single: OTLP gRPC endpoint of the log store (may be the trace backend if it takes logs)',
  ),
  logFile: envVar(
    'PLUMBLINE_LOG_FILE',
    '/var/lib/plumbline/logs.jsonl',
    "gateway/single (file backend): where the apps' log records are written",
  ),
  spanMetrics: envVar(
    'PLUMBLINE_SPANMETRICS_ENDPOINT',
    '0.0.0.0:8889',
    'gateway/single: Prometheus scrape endpoint for span metrics',
  ),
  health: envVar('PLUMBLINE_HEALTH_ENDPOINT', '0.0.0.0:13133', 'all: health_check endpoint'),
  metricsHost: envVar(
    'PLUMBLINE_METRICS_HOST',
    '0.0.0.0',
    "all: host of the collector's own Prometheus metrics",
  ),
  metricsPort: envVar(
    'PLUMBLINE_METRICS_PORT',
    '8888',
    "all: port of the collector's own Prometheus metrics",
  ),
  tlsCa: envVar(
    'PLUMBLINE_TLS_CA_FILE',
    '/etc/plumbline/tls/ca.pem',
    'agent and gateway (TLS on): CA that signed both sides',
  ),
  tlsCert: envVar(
    'PLUMBLINE_TLS_CERT_FILE',
    '/etc/plumbline/tls/cert.pem',
    "agent and gateway (TLS on): this collector's certificate",
  ),
  tlsKey: envVar(
    'PLUMBLINE_TLS_KEY_FILE',
    '/etc/plumbline/tls/key.pem',
    "agent and gateway (TLS on): this collector's private key",
  ),
  tlsReloadInterval: envVar(
    'PLUMBLINE_TLS_RELOAD_INTERVAL',
    '5m',
    'agent and gateway (TLS on): certificate and key are re-read at the first handshake this long after the last read',
  ),
  gatewayMaxConnectionAge: envVar(
    'PLUMBLINE_GATEWAY_MAX_CONNECTION_AGE',
    '1h',
    'gateway (TLS on): agents reconnect after this long, so a new handshake puts rotated certificates in use',
  ),
} as const;

/** `${env:NAME:-default}`: the collector expands it at start; a whole-value reference is parsed as YAML. */
export function envRef(variable: CollectorEnvVar, defaultValue = variable.defaultValue): string {
  return `\${env:${variable.name}:-${defaultValue}}`;
}
