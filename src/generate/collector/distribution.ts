// The collector distribution the generated configs run on: every component any of them can use
// (whatever the options), as the OpenTelemetry Collector Builder's config. `generate collector`
// writes it beside the configs, so a user of the package can build the collector they need.
import type { CollectorConfig } from './config.js';

/** The collector release of every module, and of the builder that builds them. */
export const COLLECTOR_RELEASE = '0.161.0';

/** The config sections that name components, in the builder config's order. */
export const COMPONENT_SECTIONS = [
  'receivers',
  'processors',
  'exporters',
  'connectors',
  'extensions',
] as const;
export type ComponentSection = (typeof COMPONENT_SECTIONS)[number];

interface Component {
  /** The component's type, as a config spells it before any `/name`. */
  readonly type: string;
  /** Its Go module (without version). */
  readonly module: string;
}

const CORE = 'go.opentelemetry.io/collector';
const CONTRIB = 'github.com/open-telemetry/opentelemetry-collector-contrib';

/** Exactly the components the generator writes, nothing more (test/e2e/collector-validate checks the binary). */
export const DISTRIBUTION_COMPONENTS: Readonly<Record<ComponentSection, readonly Component[]>> = {
  receivers: [{ type: 'otlp', module: `${CORE}/receiver/otlpreceiver` }],
  processors: [
    { type: 'batch', module: `${CORE}/processor/batchprocessor` },
    { type: 'memory_limiter', module: `${CORE}/processor/memorylimiterprocessor` },
    { type: 'tail_sampling', module: `${CONTRIB}/processor/tailsamplingprocessor` },
  ],
  exporters: [
    { type: 'otlp_grpc', module: `${CORE}/exporter/otlpexporter` },
    { type: 'debug', module: `${CORE}/exporter/debugexporter` },
    { type: 'file', module: `${CONTRIB}/exporter/fileexporter` },
    { type: 'prometheus', module: `${CONTRIB}/exporter/prometheusexporter` },
    { type: 'load_balancing', module: `${CONTRIB}/exporter/loadbalancingexporter` },
  ],
  connectors: [{ type: 'span_metrics', module: `${CONTRIB}/connector/spanmetricsconnector` }],
  extensions: [{ type: 'health_check', module: `${CONTRIB}/extension/healthcheckextension` }],
};

/** Module replacements the build needs, each with the reason the builder config says beside it. */
const REPLACES: ReadonlyArray<{ readonly reason: string; readonly replace: string }> = [
  {
    reason: 'The Go proxy refuses the v1.48.0 that loadbalancing pulls in; v1.40.2 builds and works.',
    replace:
      'github.com/aws/aws-sdk-go-v2/service/servicediscovery => github.com/aws/aws-sdk-go-v2/service/servicediscovery v1.40.2',
  },
];

/**
 * The builder config (collector/builder-config.yaml). Its bytes are the key of the cached binary
 * (scripts/build-collector.sh hashes the file), so the text stays stable: a change here means a
 * rebuild of the collector on every machine.
 */
export function renderBuilderConfig(): string {
  const lines = [
    '# The plumbline collector distribution, built by scripts/build-collector.sh with the official',
    '# builder (ocb). It lists exactly the components collector/*.yaml use, nothing more.',
    'dist:',
    '  name: otelcol-plumbline',
    '  description: OpenTelemetry Collector for plumbline (agent, gateway and single configs)',
    `  version: ${COLLECTOR_RELEASE}-plumbline`,
    '  # Rewritten by the build script to a cache directory outside the clone.',
    '  output_path: ./otelcol-plumbline',
  ];
  for (const section of COMPONENT_SECTIONS) {
    lines.push('', `${section}:`);
    for (const { module } of DISTRIBUTION_COMPONENTS[section])
      lines.push(`  - gomod: ${module} v${COLLECTOR_RELEASE}`);
  }
  lines.push('', 'replaces:');
  for (const { reason, replace } of REPLACES) lines.push(`  # ${reason}`, `  - ${replace}`);
  return `${lines.join('\n')}\n`;
}

/** `section/type` of every component a config uses that the distribution does not have. */
export function componentsMissingFromDistribution(collector: CollectorConfig): string[] {
  const missing: string[] = [];
  for (const section of COMPONENT_SECTIONS) {
    const ids = Object.keys((collector.config[section] ?? {}) as Record<string, unknown>);
    for (const id of ids) {
      const type = id.split('/')[0];
      if (!DISTRIBUTION_COMPONENTS[section].some((component) => component.type === type))
        missing.push(`${section}/${type}`);
    }
  }
  return missing;
}
