// The check area: live conformance of a running service's telemetry against its spec.
export {
  startLiveCheck,
  runLiveCheck,
  type LiveCheck,
  type LiveCheckOptions,
  type LiveCheckReport,
  type LiveCheckService,
} from './live-check.js';
export { ServiceStartError, type ServiceExit } from './owned-service.js';
export { DEVIATION_KINDS, type Deviation, type DeviationKind, type DeviationSource } from './deviations.js';
export { isInstrumentationScope, type NotSpecMetric } from './not-spec-metrics.js';
export { EVENT_LOGGER_SCOPE, type NotSpecLogScope } from './not-spec-log-records.js';
export type { UndeclaredAttribute } from './undeclared-attributes.js';
export { formatReport } from './report.js';
export { checkUnderLoad, assertConforms, ConformanceError, type CheckUnderLoadOptions } from './testing.js';
export { parseExposition, type MetricFamily, type ParsedExposition } from './openmetrics-parser.js';
export { startOtlpSink, type OtlpSink } from './otlp-sink.js';
export { LiveCheckOptionError } from './options.js';
// The SamplingPolicy contract: users' tests run it over their own policies (node:assert only).
export {
  samplingPolicyContract,
  contractTraces,
  type PolicyContractCase,
  type PolicyContractOptions,
} from '../sampling/policy-contract.js';
