// The dependencies' own telemetry spec: each dependency is a service of its own (service.name is
// its name), with server spans, a latency histogram with exemplars on its /metrics and an event for
// the failures it answers. No tail sampling: it cannot know which traces the blueprint keeps, so it
// exports every span and the collector (or a gateway-tier sampler) joins them by trace ID.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes, Context, Tracer } from '@opentelemetry/api';
import { defineTelemetry, type EventFields, type EventName } from './plumbline.js';

export function dependencySpec(name: string) {
  return defineTelemetry({
    specVersion: 1,
    schemaVersion: '1',
    service: { name, version: '0.1.0' },
    events: {
      'lookup.failed': {
        level: 'warn',
        description: 'A lookup answered with an error (an injected failure).',
        fields: {
          status: { type: 'integer' },
          keys: { type: 'integer' },
        },
      },
    },
    histograms: {
      'dependency.lookup.duration': {
        description: 'Time from a lookup received to its answer sent.',
        unit: 's',
        attributes: ['outcome'],
        buckets: { boundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] },
        exemplars: { enabled: true },
      },
    },
  });
}

export type DependencySpec = ReturnType<typeof dependencySpec>;

/** What a dependency server uses of its plumbline runtime (createTelemetry over dependencySpec). */
export interface DependencyTelemetry {
  readonly tracer: Tracer;
  readonly log: {
    event<N extends EventName<DependencySpec>>(
      name: N,
      fields: EventFields<DependencySpec['events'][N]>,
      context?: Context,
    ): void;
  };
  readonly metrics: {
    histogram(name: 'dependency.lookup.duration'): {
      record(value: number, attributes?: Attributes, context?: Context): void;
    };
  };
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
}
