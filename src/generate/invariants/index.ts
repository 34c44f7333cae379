// The docs target: docs/invariants.md, each invariant with its monitors, built from the other
// targets' output (rule objects, dashboards), plus deploy and roll back.
export { renderInvariantsDoc, writeInvariantsDoc, invariantsOf } from './doc.js';
export {
  INVARIANTS_DOC_FILE,
  INVARIANTS_DOC_PATH,
  PLUMBLINE_FEATURE_FLAGS,
  DEFAULT_REPLACE_INSTANCE,
  type InvariantsDocOptions,
  type ServiceLimits,
  type FeatureFlag,
  type DeliveryInstruments,
  type QueueInstruments,
} from './options.js';
export type { Invariant, MetricRef } from './model.js';
