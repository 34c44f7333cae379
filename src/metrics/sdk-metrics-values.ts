// The two sdk-metrics enums plumbline's metric data carries, as values that need no sdk-metrics
// at import: `import('plumbline')` loads sdk-metrics only when createTelemetry builds a meter
// provider. Their numbers are fixed by the SDK's data model; test/metrics/sdk-metrics-values.test.ts
// checks them against the installed sdk-metrics.
import type {
  AggregationTemporality as SdkAggregationTemporality,
  DataPointType as SdkDataPointType,
} from '@opentelemetry/sdk-metrics';

export const AggregationTemporality = {
  DELTA: 0 as SdkAggregationTemporality.DELTA,
  CUMULATIVE: 1 as SdkAggregationTemporality.CUMULATIVE,
} as const;
export type AggregationTemporality = SdkAggregationTemporality;

export const DataPointType = {
  HISTOGRAM: 0 as SdkDataPointType.HISTOGRAM,
  EXPONENTIAL_HISTOGRAM: 1 as SdkDataPointType.EXPONENTIAL_HISTOGRAM,
  GAUGE: 2 as SdkDataPointType.GAUGE,
  SUM: 3 as SdkDataPointType.SUM,
} as const;
export type DataPointType = SdkDataPointType;
