// Regression: the agent re-exposed the apps' OTLP metrics on PLUMBLINE_APP_METRICS_ENDPOINT with
// the default 0.0.0.0:9464, the port a service's own /metrics uses by convention (the OTel JS
// Prometheus exporter's default; docs/metrics.md, docs/check.md and the blueprint use it). An
// agent beside the service, where it is meant to run, could not bind (or the service could not).
// The default is now a port no other listener of the generated configs uses either.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { loadSpecFile } from '../../src/spec/load.js';

const BLUEPRINT = 'examples/blueprint/telemetry.ts';

/** The value the collector uses when the variable is unset: `${env:NAME:-default}` → default. */
const envDefault = (value: string): string => /^\$\{env:[A-Z0-9_]+:-(.*)\}$/.exec(value)?.[1] ?? value;

/** Ports in an address value: `host:port`, a bare port, or a YAML list of `host:port`. */
function portsIn(value: string): number[] {
  return [...envDefault(value).matchAll(/(?:^|:)(\d{1,5})(?=$|[,\]])/g)].map((match) => Number(match[1]));
}

/** Every port a config names under an endpoint, port or hostnames key, with where it was found. */
function configPorts(node: unknown, path: string[] = []): Array<{ path: string; port: number }> {
  if (Array.isArray(node)) return node.flatMap((item, index) => configPorts(item, [...path, String(index)]));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = [...path, key];
    if (typeof value === 'string' && ['endpoint', 'port', 'hostname', 'hostnames'].includes(key))
      return portsIn(value).map((port) => ({ path: here.join('.'), port }));
    return configPorts(value, here);
  });
}

const appMetricsPort = (yaml: string): number => {
  const config = parse(yaml) as { exporters: Record<string, { endpoint: string }> };
  const [port] = portsIn(config.exporters['prometheus/app']!.endpoint);
  return port!;
};

describe("the agent's default app-metrics endpoint", () => {
  it('is not the port of the service’s own /metrics (the OTel Prometheus exporter default)', async () => {
    const servicePort = PrometheusExporter.DEFAULT_OPTIONS.port;
    expect(servicePort).toBe(9464);
    const files = generateCollectorConfigs(await loadSpecFile(BLUEPRINT));
    expect(appMetricsPort(files['agent.yaml'])).not.toBe(servicePort);
    expect(appMetricsPort(files['single.yaml'])).not.toBe(servicePort);
  });

  it('is no other port the generated configs use (any variant, any of the three files)', async () => {
    const spec = await loadSpecFile(BLUEPRINT);
    const variants = [
      generateCollectorConfigs(spec),
      generateCollectorConfigs(spec, { resolver: 'dns', tls: false, traceBackend: 'file' }),
    ];
    for (const files of variants) {
      const appPort = appMetricsPort(files['agent.yaml']);
      const others = (['agent.yaml', 'gateway.yaml', 'single.yaml'] as const).flatMap((name) =>
        configPorts(parse(files[name]))
          .filter(({ path }) => path !== 'exporters.prometheus/app.endpoint')
          .map(({ path, port }) => ({ at: `${name}: ${path}`, port })),
      );
      // The walk finds the listeners it must (so an empty list cannot pass by accident).
      expect(others.map(({ port }) => port)).toEqual(expect.arrayContaining([4317, 4318, 8888, 8889, 13133]));
      expect(others.filter(({ port }) => port === appPort)).toEqual([]);
    }
  });
});
