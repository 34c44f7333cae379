// The alerts target: SLO recording and burn-rate rules with their promtool tests, the pipeline
// alert rules, and the Alertmanager routing and inhibitions.
export {
  generatePrometheusRules,
  sloRuleGroups,
  ruleFileName,
  type PrometheusRulesOptions,
  type Rule,
  type RuleGroup,
} from './prometheus-rules.js';
export { generatePromtoolFiles, promtoolDir, promtoolTestCommand } from './promtool-tests.js';
export {
  renderPipelineAlerts,
  writePipelineAlerts,
  PIPELINE_RULES_FILE,
  type PipelineAlertOptions,
} from './pipeline-alerts.js';
export {
  renderAlertmanagerConfig,
  sloInhibitRules,
  ALERTMANAGER_FILE,
  type AlertmanagerOptions,
} from './alertmanager.js';
