// The collector target: agent, gateway and single-collector configs from the spec's sampling,
// and the builder config of the distribution they run on.
export { generateCollectorConfigs, type CollectorFiles } from './generate.js';
export type { CollectorOptions } from './options.js';
export { splitBudget, type BudgetSplit } from './policies.js';
export { collectorEnv, type CollectorEnvVar } from './env.js';
