// The spec's instruments are plumbline's: its own registry records them and its metric producer
// hands them to every reader (OTLP with exemplars, /metrics). A meter-provider instrument of the
// same name, such as instrumentation-http's http.server.request.duration beside the spec's, was
// left out of /metrics but reached OTLP: two series sets of one name and two bucket layouts, which
// the generated collector's Prometheus endpoint summed (198 requests counted as 396 in a
// newcomer's NodeSDK app). These views drop such instruments from the meter provider, on every
// reader; the producer's data does not pass through views, so the spec's instrument stays.
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { onUse } from '../require-on-use.js';
import type { TelemetrySpec } from '../spec/types.js';

export function specInstrumentViews(spec: TelemetrySpec): ViewOptions[] {
  const { AggregationType } = onUse('@opentelemetry/sdk-metrics');
  const names = [
    ...Object.keys(spec.histograms ?? {}),
    ...Object.keys(spec.counters ?? {}),
    ...Object.keys(spec.gauges ?? {}),
  ];
  return names.map((instrumentName) => ({ instrumentName, aggregation: { type: AggregationType.DROP } }));
}
