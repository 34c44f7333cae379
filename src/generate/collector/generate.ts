// `generate collector`: the spec in, agent.yaml / gateway.yaml / single.yaml text out. Pure.
import { resolveSpec } from '../../spec/model.js';
import type { TelemetrySpec } from '../../spec/types.js';
import { agentConfig, gatewayConfig, singleConfig } from './config.js';
import { resolveCollectorOptions, type CollectorOptions } from './options.js';
import { renderCollectorYaml } from './yaml.js';

/** File name (relative to collector/) → YAML text, in a fixed order. */
export type CollectorFiles = Readonly<Record<'agent.yaml' | 'gateway.yaml' | 'single.yaml', string>>;

export function generateCollectorConfigs(
  spec: TelemetrySpec,
  options: CollectorOptions = {},
): CollectorFiles {
  const resolved = resolveCollectorOptions(options, spec);
  const model = resolveSpec(spec);
  const serviceName = spec.service.name;
  return {
    'agent.yaml': renderCollectorYaml(serviceName, agentConfig(resolved), resolved),
    'gateway.yaml': renderCollectorYaml(serviceName, gatewayConfig(model, resolved), resolved),
    'single.yaml': renderCollectorYaml(serviceName, singleConfig(model, resolved), resolved),
  };
}
