// SLOs: the spec check, the resolved model, burn-rate math, and the in-process calculator.

export { checkSlos } from './check.js';
export { resolveSlos } from '../spec/model.js';
export { resolveSlo, DEFAULT_MIN_EVENTS, type SloModel, type TierModel, type SliModel } from './model.js';
export { WORKBOOK_TIERS, SLO_WINDOWS, defaultTiers, burnRateFactor, type WorkbookTier } from './windows.js';
export {
  errorBudget,
  errorRatio,
  burnRate,
  tierThreshold,
  tierCanFire,
  errorBudgetRemaining,
  timeToExhaustionMs,
} from './burn-rate.js';
export { parseDuration, formatDuration } from './duration.js';
export {
  createSloEngine,
  SloEngineOptionsError,
  statusFromCounts,
  type SloEngine,
  type SloEngineOptions,
  type SloListeners,
  type MeasurementListener,
  type SloStatus,
  type TierStatus,
  type WindowStatus,
} from './engine.js';
export { sloStatusRows, type GaugeRow } from './status-rows.js';
export { evaluateLive, type LiveOptions } from './evaluate-live.js';
