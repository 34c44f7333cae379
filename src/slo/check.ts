// Checks the spec's `slos` section before anything is built from it: every problem is returned
// at once, each naming its field, so a bad SLO fails at setup and never at 3 a.m.

import { DEFAULT_LABEL_VALUE_LENGTH_LIMIT } from '../metrics/series-table.js';
import { specPath, type SpecIssue } from '../spec/errors.js';
import { didYouMean } from '../spec/suggest.js';
import { PIPELINE_EXPORT_SIGNALS, type AttributeMatch, type TelemetrySpec } from '../spec/types.js';
import { errorBudget, tierCanFire } from './burn-rate.js';
import { errorBudgetPercentText } from './percent-text.js';
import { formatDuration, parseDuration } from './duration.js';
import { matchValueBytes } from './match-value-length.js';
import { SLO_WINDOWS, defaultTiers } from './windows.js';

const SLO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Prometheus' default scrape interval, which the generated rules and their tests assume. */
const SCRAPE_INTERVAL_MS = 60_000;
/**
 * The shortest tier window: two scrapes. Prometheus 3 selects a range's samples in (t - w, t],
 * so at 1m scrapes rate(x[1m]) sees one sample and has no value (promtool: the alert never
 * fires), while rate(x[2m]) sees two (test/regression/slo-window-shorter-than-two-scrapes-accepted.test.ts).
 */
const MIN_TIER_WINDOW = '2m';
const MIN_TIER_WINDOW_MS = parseDuration(MIN_TIER_WINDOW)!;

export function checkSlos(spec: TelemetrySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const slos = spec.slos;
  if (slos === undefined) return issues;
  if (typeof slos !== 'object' || slos === null || Array.isArray(slos)) {
    return [{ path: 'slos', message: 'expected an object of SLOs keyed by name' }];
  }
  for (const [name, slo] of Object.entries(slos)) {
    const issue = (field: Field, message: string) =>
      issues.push({ path: specPath('slos', name, ...keysOf(field)), message });
    if (!SLO_NAME.test(name))
      issue(
        '',
        'an SLO name may use letters, digits, "_", "." and "-" (it becomes a label value and a link anchor)',
      );
    if (typeof slo !== 'object' || slo === null) {
      issue('', 'expected an object with description, sli and objective');
      continue;
    }
    if (typeof slo.description !== 'string' || slo.description === '')
      issue('description', 'expected a non-empty string');
    const objectiveOk =
      typeof slo.objective === 'number' &&
      Number.isFinite(slo.objective) &&
      slo.objective > 0 &&
      slo.objective < 100;
    if (!objectiveOk)
      issue(
        'objective',
        `expected a percentage strictly between 0 and 100 (e.g. 99.9), got ${JSON.stringify(slo.objective)}`,
      );
    const window = slo.window ?? '30d';
    const windowOk = SLO_WINDOWS.includes(window);
    if (!windowOk)
      issue('window', `expected one of ${SLO_WINDOWS.join(', ')}, got ${JSON.stringify(slo.window)}`);
    if (slo.minEvents !== undefined && !(Number.isInteger(slo.minEvents) && slo.minEvents >= 0)) {
      issue('minEvents', `expected a whole number >= 0, got ${JSON.stringify(slo.minEvents)}`);
    }
    checkSli(spec, name, slo.sli, issues);
    if (slo.alerting !== undefined && (typeof slo.alerting !== 'object' || slo.alerting === null)) {
      issue('alerting', 'expected an object of tiers keyed by name (a tier set to false is turned off)');
      continue;
    }
    const defaults = defaultTiers(windowOk ? window : '30d');
    const tiers = { ...defaults, ...(slo.alerting ?? {}) };
    const windowMs = parseDuration(windowOk ? window : '30d')!;
    const budget = objectiveOk ? errorBudget(slo.objective) : undefined;
    for (const [tierName, tier] of Object.entries(tiers)) {
      const tierAt = ['alerting', tierName];
      const overridden = slo.alerting?.[tierName] !== undefined;
      if (tierName.includes('{{'))
        issue(
          tierAt,
          'a tier name may not hold "{{": it becomes the alerts\' tier label, and Prometheus expands alert labels as Go templates',
        );
      if (tier === false) {
        // Only a default tier can be turned off: false on any other name is a typo that leaves
        // the tier meant on.
        if (!Object.hasOwn(defaults, tierName))
          issue(
            tierAt,
            `false turns off a default tier (${Object.keys(defaults).join(', ')}), and "${tierName}" is none of them${didYouMean(tierName, Object.keys(defaults))}`,
          );
        continue;
      }
      if (typeof tier !== 'object' || tier === null) {
        issue(tierAt, 'expected false (turned off) or { severity, burnRate, longWindow, shortWindow }');
        continue;
      }
      if (tier.severity !== 'page' && tier.severity !== 'ticket')
        issue([...tierAt, 'severity'], `expected "page" or "ticket", got ${JSON.stringify(tier.severity)}`);
      const factorOk =
        typeof tier.burnRate === 'number' && Number.isFinite(tier.burnRate) && tier.burnRate > 0;
      if (!factorOk)
        issue(
          [...tierAt, 'burnRate'],
          `expected a burn-rate factor > 0 (e.g. 14.4), got ${JSON.stringify(tier.burnRate)}`,
        );
      const longMs = typeof tier.longWindow === 'string' ? parseDuration(tier.longWindow) : undefined;
      const shortMs = typeof tier.shortWindow === 'string' ? parseDuration(tier.shortWindow) : undefined;
      if (longMs === undefined)
        issue(
          [...tierAt, 'longWindow'],
          `expected a Prometheus duration such as "1h", got ${JSON.stringify(tier.longWindow)}`,
        );
      if (shortMs === undefined)
        issue(
          [...tierAt, 'shortWindow'],
          `expected a Prometheus duration such as "5m", got ${JSON.stringify(tier.shortWindow)}`,
        );
      for (const [field, ms] of [
        ['longWindow', longMs],
        ['shortWindow', shortMs],
      ] as const) {
        const why = ms === undefined ? undefined : unscrapeable(String(tier[field]), ms);
        if (why !== undefined) issue([...tierAt, field], why);
      }
      if (longMs !== undefined && shortMs !== undefined && shortMs >= longMs) {
        issue(
          [...tierAt, 'shortWindow'],
          `the short window (${tier.shortWindow}) must be shorter than the long window (${tier.longWindow})`,
        );
      }
      if (longMs !== undefined && longMs > windowMs) {
        issue(
          [...tierAt, 'longWindow'],
          `the long window (${tier.longWindow}) is longer than the SLO window (${window})`,
        );
      }
      if (factorOk && budget !== undefined && !tierCanFire(tier.burnRate, budget)) {
        const hint = overridden
          ? 'lower its burnRate'
          : `turn it off with alerting: { "${tierName}": false } or override it`;
        issue(
          [...tierAt, 'burnRate'],
          `tier "${tierName}" can never fire: ${tier.burnRate}x the ${errorBudgetPercentText(slo.objective)}% error budget needs an error ratio of ` +
            `${+(tier.burnRate * budget * 100).toPrecision(6)}% or more, and a ratio cannot exceed 100%; ${hint}`,
        );
      }
    }
  }
  return issues;
}

/**
 * Why Prometheus cannot evaluate a tier window at its default 1m scrape interval (undefined when
 * it can): the window must hold whole scrapes, and at least two of them.
 */
function unscrapeable(text: string, ms: number): string | undefined {
  if (ms % SCRAPE_INTERVAL_MS !== 0) {
    const whole = Math.max(MIN_TIER_WINDOW_MS, Math.ceil(ms / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS);
    return (
      `expected whole minutes such as "${formatDuration(whole)}", got ${JSON.stringify(text)}: Prometheus scrapes ` +
      'every 1m by default, so a window holds whole scrapes, and the generated promtool tests step minute by minute'
    );
  }
  if (ms < MIN_TIER_WINDOW_MS)
    return (
      `${JSON.stringify(text)} is shorter than ${MIN_TIER_WINDOW}: rate() needs two samples in its window and Prometheus ` +
      'scrapes every 1m by default, so the rule over this window would never have a value and the alert never fire'
    );
  return undefined;
}

/** A field of an SLO as keys under it: '' is the SLO itself. */
type Field = string | readonly string[];

function keysOf(field: Field): readonly string[] {
  return typeof field === 'string' ? (field === '' ? [] : [field]) : field;
}

function checkSli(spec: TelemetrySpec, sloName: string, sli: unknown, issues: SpecIssue[]): void {
  const issue = (field: Field, message: string) =>
    issues.push({ path: specPath('slos', sloName, 'sli', ...keysOf(field)), message });
  if (typeof sli !== 'object' || sli === null) {
    issue(
      '',
      'expected { kind: "availability", metric, bad }, { kind: "latency", histogram, threshold } or { kind: "pipeline" }',
    );
    return;
  }
  const s = sli as Record<string, unknown>;
  if (s.kind === 'availability') {
    const metric = s.metric;
    const counter = typeof metric === 'string' ? spec.counters?.[metric] : undefined;
    const histogram = typeof metric === 'string' ? spec.histograms?.[metric] : undefined;
    if (counter === undefined && histogram === undefined) {
      const known = [...Object.keys(spec.counters ?? {}), ...Object.keys(spec.histograms ?? {})];
      issue(
        'metric',
        `no counter or histogram named ${JSON.stringify(metric)} in the spec${didYouMean(metric, known)}`,
      );
      return;
    }
    const attributes = (counter ?? histogram)?.attributes ?? [];
    if (typeof s.bad !== 'object' || s.bad === null || Object.keys(s.bad).length === 0) {
      issue('bad', 'expected at least one attribute match, e.g. { outcome: ["error"] }');
    } else {
      checkMatch(s.bad as AttributeMatch, attributes, String(metric), 'bad', issue);
    }
    if (s.where !== undefined)
      checkMatch(s.where as AttributeMatch, attributes, String(metric), 'where', issue);
  } else if (s.kind === 'latency') {
    const name = s.histogram;
    const histogram = typeof name === 'string' ? spec.histograms?.[name] : undefined;
    if (histogram === undefined) {
      issue(
        'histogram',
        `no histogram named ${JSON.stringify(name)} in the spec${didYouMean(name, Object.keys(spec.histograms ?? {}))}`,
      );
      return;
    }
    if (typeof s.threshold !== 'number' || !Number.isFinite(s.threshold) || s.threshold <= 0) {
      issue(
        'threshold',
        `expected a number > 0 in the histogram's unit (${histogram.unit}), got ${JSON.stringify(s.threshold)}`,
      );
    }
    if (s.where !== undefined)
      checkMatch(s.where as AttributeMatch, histogram.attributes ?? [], String(name), 'where', issue);
  } else if (s.kind === 'pipeline') {
    checkSignals(s.signals, issue);
  } else {
    issue('kind', `expected "availability", "latency" or "pipeline", got ${JSON.stringify(s.kind)}`);
  }
}

/** A pipeline SLI's signals: absent (all), or some of the exported signals, each once. */
function checkSignals(signals: unknown, issue: (field: Field, message: string) => void): void {
  if (signals === undefined) return;
  const known = PIPELINE_EXPORT_SIGNALS as readonly unknown[];
  if (!Array.isArray(signals) || signals.length === 0) {
    issue('signals', `expected a non-empty array of ${PIPELINE_EXPORT_SIGNALS.join(', ')}`);
    return;
  }
  signals.forEach((signal: unknown, index) => {
    if (!known.includes(signal))
      issue(
        ['signals', String(index)],
        `expected one of ${PIPELINE_EXPORT_SIGNALS.join(', ')}, got ${JSON.stringify(signal)}${didYouMean(signal, PIPELINE_EXPORT_SIGNALS)}`,
      );
    else if (signals.indexOf(signal) !== index)
      issue(['signals', String(index)], `${JSON.stringify(signal)} is listed twice`);
  });
}

function checkMatch(
  match: AttributeMatch,
  attributes: readonly string[],
  metric: string,
  field: string,
  issue: (field: Field, message: string) => void,
): void {
  if (typeof match !== 'object' || match === null) {
    issue(field, 'expected an object of attribute name -> allowed values');
    return;
  }
  for (const [attribute, values] of Object.entries(match)) {
    if (!attributes.includes(attribute)) {
      issue(
        [field, attribute],
        `"${metric}" has no attribute "${attribute}" (it has: ${attributes.join(', ') || 'none'})${didYouMean(attribute, attributes)}`,
      );
    }
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
      issue([field, attribute], 'expected a non-empty array of strings');
      continue;
    }
    values.forEach((value: string, index) => {
      // /metrics writes a lone surrogate as U+FFFD, and PromQL refuses a raw U+FFFD in a query
      // ("invalid UTF-8 rune"): neither can select a series, and the rules file would not load.
      if (!value.isWellFormed())
        issue(
          [field, attribute, String(index)],
          'has a lone surrogate (half of a UTF-16 pair): no label value carries one (/metrics writes it as U+FFFD)',
        );
      else if (value.includes('\uFFFD'))
        issue(
          [field, attribute, String(index)],
          'has U+FFFD, the replacement character: PromQL refuses it in a query ("invalid UTF-8 rune"), so the rules could not load',
        );
      const bytes = matchValueBytes(value);
      if (bytes > DEFAULT_LABEL_VALUE_LENGTH_LIMIT)
        issue(
          [field, attribute, String(index)],
          `${bytes} UTF-8 bytes${isPatternNote(value)}: longer than a label value may be (${DEFAULT_LABEL_VALUE_LENGTH_LIMIT} bytes, ` +
            'labelValueLengthLimit; longer values are cut), so no series would carry it and the rules would never match it',
        );
    });
  }
}

function isPatternNote(value: string): string {
  return value.includes('*') ? ' without its stars' : '';
}
