// The OTel resource of a service: the spec's name, version and environment, overridden by
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector), as every OTel SDK does.
import {
  detectResources,
  envDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import type { TelemetrySpec } from '../spec/types.js';

export function serviceResource(spec: TelemetrySpec): Resource {
  const attributes: Record<string, string> = { 'service.name': spec.service.name };
  if (spec.service.version !== undefined) attributes['service.version'] = spec.service.version;
  const environment = spec.service.environment ?? process.env.PLUMBLINE_ENVIRONMENT;
  if (environment !== undefined) {
    // The semantic conventions renamed the key; backends still read either.
    attributes['deployment.environment.name'] = environment;
    attributes['deployment.environment'] = environment;
  }
  return resourceFromAttributes(attributes).merge(detectResources({ detectors: [envDetector] }));
}
