// `plumbline/generate`: the build-time half. Generators turn a spec into collector configs,
// dashboards, rules and docs; nothing here is loaded by a running service (`plumbline`).
export { loadSpecFile } from '../spec/load.js';
export { fromOpenSlo, OpenSloError } from '../spec/openslo.js';
export { writeArtifactFiles, checkArtifactFiles } from './artifact-files.js';
export { generateCollectorConfigs } from './collector/generate.js';
export type { CollectorFiles } from './collector/generate.js';
export type { CollectorOptions } from './collector/options.js';
export { splitBudget } from './collector/policies.js';
export type { BudgetSplit } from './collector/policies.js';
export { collectorEnv } from './collector/env.js';
export { renderDashboards, writeDashboards } from './dashboards/render.js';
export type { DashboardOptions } from './dashboards/options.js';
export { generatePrometheusRules, ruleFileName } from './rules/prometheus-rules.js';
export type { PrometheusRulesOptions } from './rules/prometheus-rules.js';
export { generatePromtoolTests, promtoolTestFileName } from './rules/promtool-tests.js';
export { renderPipelineAlerts, writePipelineAlerts, PIPELINE_RULES_FILE } from './rules/pipeline-alerts.js';
export type { PipelineAlertOptions } from './rules/pipeline-alerts.js';
export { renderAlertmanagerConfig, sloInhibitRules, ALERTMANAGER_FILE } from './rules/alertmanager.js';
export type { AlertmanagerOptions } from './rules/alertmanager.js';
export { renderInvariantsDoc, writeInvariantsDoc, invariantsOf } from './invariants/doc.js';
export { INVARIANTS_DOC_FILE, INVARIANTS_DOC_PATH, BLUEPRINT_LIMITS } from './invariants/options.js';
export type {
  InvariantsDocOptions,
  ServiceLimits,
  FeatureFlag,
  DeliveryInstruments,
  QueueInstruments,
} from './invariants/options.js';
export type { Invariant, MetricRef } from './invariants/model.js';
// Live conformance (`plumbline check live`) and its test helper: build- and CI-time too.
export {
  startLiveCheck,
  runLiveCheck,
  checkUnderLoad,
  assertConforms,
  ConformanceError,
  formatReport,
  DEVIATION_KINDS,
  samplingPolicyContract,
  contractTraces,
} from '../check/index.js';
export type {
  LiveCheck,
  LiveCheckOptions,
  LiveCheckReport,
  CheckUnderLoadOptions,
  Deviation,
  DeviationKind,
  DeviationSource,
  PolicyContractCase,
  PolicyContractOptions,
} from '../check/index.js';
