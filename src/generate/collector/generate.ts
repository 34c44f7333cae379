// `generate collector`: the spec in, agent.yaml / gateway.yaml / single.yaml text out, plus the
// builder config of the collector distribution they run on. Pure.
import { resolveSpec } from '../../spec/model.js';
import type { TelemetrySpec } from '../../spec/types.js';
import { agentConfig, gatewayConfig, singleConfig, type CollectorConfig } from './config.js';
import { componentsMissingFromDistribution, renderBuilderConfig } from './distribution.js';
import { resolveCollectorOptions, type CollectorOptions } from './options.js';
import { renderCollectorYaml } from './yaml.js';

/** File name (relative to collector/) → text, in a fixed order. */
export type CollectorFiles = Readonly<
  Record<'agent.yaml' | 'gateway.yaml' | 'single.yaml' | 'builder-config.yaml', string>
>;

export function generateCollectorConfigs(
  spec: TelemetrySpec,
  options: CollectorOptions = {},
): CollectorFiles {
  const resolved = resolveCollectorOptions(options, spec);
  const model = resolveSpec(spec);
  const serviceName = spec.service.name;
  const render = (collector: CollectorConfig): string => {
    const missing = componentsMissingFromDistribution(collector);
    if (missing.length > 0)
      throw new Error(
        `collector ${collector.role}: ${missing.join(', ')} not in the distribution (distribution.ts)`,
      );
    return renderCollectorYaml(serviceName, collector, resolved);
  };
  return {
    'agent.yaml': render(agentConfig(resolved)),
    'gateway.yaml': render(gatewayConfig(model, resolved)),
    'single.yaml': render(singleConfig(model, resolved)),
    // The same for every spec and option: every component any generated config can use.
    'builder-config.yaml': renderBuilderConfig(),
  };
}
