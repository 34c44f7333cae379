// The OTel resource of a service: the spec's name, version and environment, and an ID of this
// process, overridden by OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector), as
// every OTel SDK does.
import { randomUUID } from 'node:crypto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import type { TelemetrySpec } from '../spec/types.js';

export function serviceResource(spec: TelemetrySpec): Resource {
  return resourceFromAttributes(specResourceAttributes(spec)).merge(
    detectResources({ detectors: [envDetector] }),
  );
}

/**
 * The resource to hand NodeSDK: the SDK's default (telemetry.sdk.*) with the spec's service;
 * NodeSDK merges its detectors over it, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES still win.
 */
export function nodeSdkResource(spec: TelemetrySpec): Resource {
  return defaultResource().merge(resourceFromAttributes(specResourceAttributes(spec)));
}

/**
 * This process's `service.instance.id` (a random UUID, as the semantic conventions allow): two
 * instances of a service must not share one, or the collector's Prometheus exporter writes both
 * into the same series (`instance` label) and their counters jump between them (regression:
 * collector-instances-overwrote-each-others-metrics.test.ts). OTEL_RESOURCE_ATTRIBUTES can set it.
 */
const INSTANCE_ID = randomUUID();

function specResourceAttributes(spec: TelemetrySpec): Record<string, string> {
  const attributes: Record<string, string> = {
    'service.name': spec.service.name,
    'service.instance.id': INSTANCE_ID,
  };
  if (spec.service.version !== undefined) attributes['service.version'] = spec.service.version;
  const environment = spec.service.environment ?? process.env.PLUMBLINE_ENVIRONMENT;
  if (environment !== undefined) {
    // The semantic conventions renamed the key; backends still read either.
    attributes['deployment.environment.name'] = environment;
    attributes['deployment.environment'] = environment;
  }
  return attributes;
}
