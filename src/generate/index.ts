// `plumbline/generate`: the build-time half. Generators turn a spec into collector configs,
// dashboards, rules and docs; nothing here is loaded by a running service (`plumbline`).
export { loadSpecFile } from '../spec/load.js';
export { resolveSpec, type SpecModel, type HistogramModel } from '../spec/model.js';
export type { SamplingSettings } from '../spec/sampling-settings.js';
export { fromOpenSlo, OpenSloError } from '../spec/openslo.js';
export { writeArtifactFiles, checkArtifactFiles } from './artifact-files.js';
export {
  generateCollectorConfigs,
  splitBudget,
  collectorEnv,
  type CollectorEnvVar,
  type CollectorFiles,
  type CollectorOptions,
  type BudgetSplit,
} from './collector/index.js';
export { renderDashboards, writeDashboards, type DashboardOptions } from './dashboards/index.js';
export {
  generatePrometheusRules,
  sloRuleGroups,
  ruleFileName,
  generatePromtoolFiles,
  promtoolDir,
  promtoolTestCommand,
  renderPipelineAlerts,
  writePipelineAlerts,
  PIPELINE_RULES_FILE,
  renderAlertmanagerConfig,
  sloInhibitRules,
  ALERTMANAGER_FILE,
  type PrometheusRulesOptions,
  type Rule,
  type RuleGroup,
  type PipelineAlertOptions,
  type AlertmanagerOptions,
} from './rules/index.js';
export {
  renderInvariantsDoc,
  writeInvariantsDoc,
  invariantsOf,
  INVARIANTS_DOC_FILE,
  INVARIANTS_DOC_PATH,
  PLUMBLINE_FEATURE_FLAGS,
  DEFAULT_REPLACE_INSTANCE,
  type InvariantsDocOptions,
  type ServiceLimits,
  type FeatureFlag,
  type DeliveryInstruments,
  type QueueInstruments,
  type Invariant,
  type MetricRef,
} from './invariants/index.js';
// Live conformance (`plumbline check live`) and its test helper: build- and CI-time too.
export {
  startLiveCheck,
  runLiveCheck,
  checkUnderLoad,
  assertConforms,
  ConformanceError,
  formatReport,
  DEVIATION_KINDS,
  ServiceStartError,
  samplingPolicyContract,
  contractTraces,
} from '../check/index.js';
export type {
  LiveCheck,
  LiveCheckOptions,
  LiveCheckReport,
  LiveCheckService,
  ServiceExit,
  CheckUnderLoadOptions,
  Deviation,
  DeviationKind,
  DeviationSource,
  PolicyContractCase,
  PolicyContractOptions,
} from '../check/index.js';
