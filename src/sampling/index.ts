// What leaves src/sampling: the tail-sampling processor, its policy interface and bases for
// user policies, the spec check, the OTEP 235 threshold helpers and the corpus decision.
export { TailSamplingProcessor, NO_MATCH } from './tail-sampling-processor.js';
export type { TailSamplingOptions } from './tail-sampling-processor.js';
export type { SamplerStats, PolicyOutcomes } from './sampler-stats.js';
export { checkSampling } from './check-sampling.js';
export { BaseSamplingPolicy, SpanMatchPolicy, KEEP, DROP, ABSTAIN } from './policy.js';
export type { SamplingPolicy, PolicyDecision, PolicySpan, TraceView, Verdict } from './policy.js';
export { ErrorsPolicy, isErrorSpan } from './errors-policy.js';
export { LatencyPolicy } from './latency-policy.js';
export { ExemplarPolicy } from './exemplar-policy.js';
export { LinkedPolicy, LINKED_POLICY } from './linked-policy.js';
export { AttributePolicy } from './attribute-policy.js';
export { BudgetPolicy, OTHER_KEY } from './budget-policy.js';
export { buildPolicies } from './build-policies.js';
export { fairShares } from './fair-share.js';
export {
  POLICY_ATTRIBUTE,
  TRUNCATED_ATTRIBUTE,
  CUT_SPANS_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  SampledSpan,
} from './sampled-span.js';
export {
  ALWAYS_KEEP_THRESHOLD,
  encodeTh,
  parseTh,
  keepsAt,
  probabilityToThreshold,
  randomnessOf,
  thresholdOf,
  thresholdToProbability,
} from './threshold.js';
export { decideCorpusTrace } from './decide-corpus-trace.js';
export type { CorpusDecision, CorpusSpan, CorpusTrace, SamplingCorpus } from './decide-corpus-trace.js';
