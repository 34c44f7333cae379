// The words of the generated alerts, written once with slots for the numbers: the rule file
// fills the slots with Prometheus template calls, the promtool fixtures with the values
// Prometheus must print, so the two cannot drift apart.

import type { SloModel, TierModel } from '../../slo/model.js';
import { errorBudgetPercentText, objectivePercentText, plainDecimal } from '../../slo/percent-text.js';

export const BURN_ALERT = 'SLOErrorBudgetBurn';
export const ABSENT_ALERT = 'SLODataAbsent';
export const ABSENT_TIER = 'absent';
/** How long the SLI's series must be missing before the absent-data alert fires. */
export const ABSENT_FOR = '10m';
/**
 * Runbook links are relative unless a base URL is given: `docs/invariants.md#<anchor>`, the doc
 * `plumbline generate docs` writes, so they land on the user's own docs, not on ours.
 */
export const DEFAULT_RUNBOOK_BASE = '';

/**
 * A runbook base is '' (links relative to the generated docs/) or an http(s) URL ending in '/',
 * without "{{": every alert's runbook_url starts with it, and Prometheus expands annotations as Go
 * templates (`https://wiki/{{x}}/` failed promtool check rules on every alert: function "x" not
 * defined; one that parsed would be expanded, never the link the promtool tests expect).
 */
export function checkRunbookBase(option: string, base: string): string {
  if (base !== '' && !/^https?:\/\/\S+\/$/.test(base)) {
    throw new Error(
      `${option}: expected "" (links relative to the generated docs/) or an http(s) URL ending in "/", got ${JSON.stringify(base)}`,
    );
  }
  if (base.includes('{{')) {
    throw new Error(
      `${option}: may not hold "{{" (Prometheus expands an alert's runbook_url as a Go template), got ${JSON.stringify(base)}`,
    );
  }
  return base;
}

/**
 * How the spec's own words (an SLO's description, a selector built from its match values) are
 * written into an annotation. Prometheus expands annotations as Go templates, so the rule file
 * writes them as template text that prints itself ({@link templateText}); the promtool fixtures
 * expect what Prometheus prints, the words as they are ({@link printedText}).
 */
export type Literal = (text: string) => string;

/**
 * `text` as Go text/template source that prints `text`: every `{{` (the only delimiter literal
 * text can hold) as the action `{{ "{{" }}`, so nothing in it runs or fails to parse.
 */
export const templateText: Literal = (text) => text.replaceAll('{{', '{{ "{{" }}');

/** The words as Prometheus prints them. */
export const printedText: Literal = (text) => text;

export interface BurnSlots {
  /** Burn rate over the tier's long window. */
  readonly burnRate: string;
  /**
   * The SLO window's error ratio as a percent of the budget: the share of the budget spent once
   * the window is full; before that (a new deploy) the ratio is over the data seen, a projection.
   */
  readonly budgetSpent: string;
  /** Hours until the rest of the budget is gone at the long window's burn rate. */
  readonly hoursLeft: string;
}

export function burnSummary(slo: SloModel, tier: TierModel, slots: BurnSlots): string {
  return `${slo.name}: error budget burning ${slots.burnRate}x too fast over ${tier.longWindow} (${tier.name})`;
}

export function burnDescription(slo: SloModel, tier: TierModel, slots: BurnSlots, literal: Literal): string {
  const budgetPercent = errorBudgetPercentText(slo.objective);
  const tierShare = percent(tier.budgetPercent);
  return (
    `${literal(sentence(slo.description))} Over the last ${tier.longWindow} errors ran at ${slots.burnRate}x the rate the ${objectivePercentText(slo.objective)}% ` +
    `objective allows (${budgetPercent}% of events over ${slo.window}); this ${tier.severity} tier fires above ${tier.burnRate}x ` +
    `(${tierShare}% of the budget in ${tier.longWindow}), confirmed over ${tier.shortWindow}. ` +
    `Over ${slo.window} (or the data seen, if less) errors are ${slots.budgetSpent}% of the error budget; at this burn rate the rest lasts ${slots.hoursLeft} h.`
  );
}

export function absentSummary(slo: SloModel): string {
  return `${slo.name}: no data for the SLI`;
}

/** `selectors`: of all events (one, or the pipeline SLI's two). */
export function absentDescription(slo: SloModel, selectors: readonly string[], literal: Literal): string {
  const missing = selectors.length === 1 ? `${selectors[0]} has` : `${selectors.join(' and ')} have`;
  return `${literal(sentence(slo.description))} The series ${literal(missing)} been missing for ${ABSENT_FOR}, so the burn-rate alerts of this SLO cannot fire.`;
}

/** The spec's description as a sentence: one closing period, whether or not it had one. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function runbookUrl(slo: SloModel, base: string): string {
  return `${base}docs/invariants.md#slo-${slo.name}`;
}

/**
 * A percentage for prose: up to 6 significant digits, no float dust (0.1, not 0.09999999), no
 * exponent (0.0000001, not 1e-7). The objective and its budget are written in full, as the spec
 * states them (percent-text.ts): with 6 digits 99.99999 printed "the 100% objective".
 */
function percent(value: number): string {
  return plainDecimal(value, 6);
}
