// Checks a spec at startup: its structure (JSON Schema, precompiled by `npm run gen:validators`, so
// neither ajv's compiler nor a compile runs in a service) and the references between sections,
// reported together in one round. Every problem names its field (one path notation,
// specPath) and says what was expected; a misspelt name gets a "did you mean".
import type { ErrorObject, ValidateFunction } from 'ajv';
import { checkHistograms } from '../metrics/check-histograms.js';
import { checkPrometheusNames } from '../metrics/check-prometheus-names.js';
import { checkSampling } from '../sampling/check-sampling.js';
import { checkSlos } from '../slo/check.js';
import { isWithin, SpecError, specPath, type SpecIssue } from './errors.js';
import { checkFileNameLengths } from './file-name-lengths.js';
import { keyPatternMessage } from './key-names.js';
import { LINE_ENVELOPE_KEYS } from './naming.js';
import { isObjectivePointer, lowObjectiveMessage, numberAsStringMessage } from './objective.js';
import { checkHttpConventions } from './semconv-http.js';
import { validate as generatedValidator } from './spec-validator.generated.js';
import { didYouMean } from './suggest.js';
import { isValidatedSpec, markValidated } from './validated.js';
import type { SamplingSpec, TelemetrySpec } from './types.js';

/** A check of one section, owned by the area that reads it (metrics, SLOs, sampling). */
export type SpecCheck = (spec: TelemetrySpec) => SpecIssue[];

// Compiled with verbose errors: an error carries its schema, so an unknown key can be matched
// against the known ones (scripts/gen-validators.ts).
const validateStructure = generatedValidator as unknown as ValidateFunction;
const sectionChecks: readonly SpecCheck[] = [
  checkReferences,
  checkHistograms,
  checkPrometheusNames,
  checkSlos,
  checkSampling,
  checkHttpConventions,
  checkFileNameLengths,
];

/**
 * All problems of a spec, structure and references in one round; empty when it is valid. The
 * section checks run on a spec whose structure is wrong too, so a broken reference is not held
 * back until the structure is fixed; where structure already reported a place, a check's
 * problem at or inside it is left out (it would say the same thing again). A key that breaks its
 * map's name pattern is reported at the key and covers only that place: the entry's own problems
 * and the map's other entries are still checked.
 */
export function specIssues(spec: unknown): SpecIssue[] {
  const structureOk = validateStructure(spec);
  const errors = structureOk ? [] : (validateStructure.errors ?? []);
  const { issues, badKeys } = structureIssues(errors, spec);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return issues;
  const reported = issues.map((issue) => issue.path).filter((path) => !badKeys.includes(path));
  const checked = withoutRefusedObjectives(spec as TelemetrySpec, errors);
  for (const check of sectionChecks) {
    let found: SpecIssue[];
    try {
      found = check(checked);
    } catch (error) {
      // A section too malformed for its check to read is already named by the structure issues.
      if (structureOk) throw error;
      continue;
    }
    for (const issue of found) {
      if (!reported.some((at) => isWithin(issue.path, at)) && !badKeys.includes(issue.path))
        issues.push(issue);
    }
  }
  return issues;
}

/** Throws a SpecError listing every problem; returns the spec typed when it is valid. */
export function validateSpec<S extends TelemetrySpec>(spec: S): S {
  if (typeof spec === 'object' && spec !== null && isValidatedSpec(spec)) return spec;
  const issues = specIssues(spec);
  if (issues.length > 0) throw new SpecError(issues);
  if (typeof spec === 'object' && spec !== null) markValidated(spec);
  return spec;
}

/**
 * Throws a SpecError listing every problem of a sampling section handed alone (a tail sampler
 * built without its spec): the sampling check, the one part of the spec such a section carries.
 */
export function validateSamplingSection(section: SamplingSpec): void {
  const issues = checkSampling({ sampling: section });
  if (issues.length > 0) throw new SpecError(issues);
}

/** The spec path (specPath) of a JSON pointer: /events/batch.stored/level is events["batch.stored"].level */
export function pointerToPath(pointer: string): string {
  return specPath(...pointerKeys(pointer));
}

/** The value at `keys` inside `root`, or undefined where the path leaves it. */
function valueAt(root: unknown, keys: readonly string[]): unknown {
  let value = root;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function pointerKeys(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The spec the section checks read: an objective the structure refused (0.999, "99.9%") left
 * out, so the SLO check does not work out tiers from it (0.999 read as 0.999% made every page
 * tier "never fire"); the objective's own problem is the structure's.
 */
function withoutRefusedObjectives(spec: TelemetrySpec, errors: readonly ErrorObject[]): TelemetrySpec {
  const refused = new Set(
    errors.filter((error) => isObjectivePointer(error.instancePath)).map((error) => error.instancePath),
  );
  if (refused.size === 0 || typeof spec.slos !== 'object' || spec.slos === null) return spec;
  const slos: Record<string, unknown> = { ...spec.slos };
  for (const pointer of refused) {
    const name = pointerKeys(pointer)[1]!;
    const slo = slos[name];
    if (typeof slo !== 'object' || slo === null) continue;
    const { objective: _refused, ...rest } = slo as Record<string, unknown>;
    slos[name] = rest;
  }
  return { ...spec, slos } as TelemetrySpec;
}

/** Structure issues, and the paths among them that are map keys breaking their map's pattern. */
function structureIssues(
  errors: readonly ErrorObject[],
  spec: unknown,
): { issues: SpecIssue[]; badKeys: string[] } {
  const issues = new Map<string, SpecIssue>();
  const badKeys: string[] = [];
  for (const error of withinTheFittingBranch(errors)) {
    if (error.keyword === 'if' || error.keyword === 'oneOf' || error.keyword === 'propertyNames') continue;
    if (error.propertyName !== undefined) {
      // A key of a map, checked by propertyNames: ajv's instancePath is the map, the key is apart.
      const issue = describeKey(error, error.propertyName);
      issues.set(`${issue.path}: ${issue.message}`, issue);
      badKeys.push(issue.path);
      continue;
    }
    const issue = describe(error, spec);
    issues.set(`${issue.path}: ${issue.message}`, issue);
  }
  return { issues: [...issues.values()], badKeys };
}

/** A map key that breaks the map's `propertyNames`, reported at the key: `slos.Bad_Name`. */
function describeKey(error: ErrorObject, key: string): SpecIssue {
  const mapKeys = pointerKeys(error.instancePath);
  const path = specPath(...mapKeys, key);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'pattern')
    return { path, message: keyPatternMessage(mapKeys, key, String(params.pattern)) };
  return { path, message: `as a key: ${error.message ?? `fails ${error.keyword}`}` };
}

/**
 * A `oneOf` that fails reports every branch's errors: `buckets: { boundaries: [1, NaN] }` said
 * "fromSlos: is required" and "boundaries: is not a known key" beside the real problem. When
 * exactly one branch fits the object's own keys (no missing or unknown key, no wrong type at the
 * oneOf's own place), only that branch's errors are the spec's problems.
 */
function withinTheFittingBranch(errors: readonly ErrorObject[]): readonly ErrorObject[] {
  let kept = errors;
  for (const oneOf of errors.filter((error) => error.keyword === 'oneOf')) {
    const prefix = `${oneOf.schemaPath}/`;
    const inGroup = (error: ErrorObject) => error.schemaPath.startsWith(prefix);
    const branchOf = (error: ErrorObject) => error.schemaPath.slice(prefix.length).split('/')[0];
    const branches = new Set(kept.filter(inGroup).map(branchOf));
    const misfits = new Set(
      kept
        .filter(
          (error) =>
            inGroup(error) &&
            error.instancePath === oneOf.instancePath &&
            ['required', 'additionalProperties', 'type'].includes(error.keyword),
        )
        .map(branchOf),
    );
    const fitting = [...branches].filter((branch) => !misfits.has(branch));
    if (fitting.length === 1)
      kept = kept.filter((error) => !inGroup(error) || branchOf(error) === fitting[0]);
  }
  return kept;
}

function describe(error: ErrorObject, spec: unknown): SpecIssue {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: specPath(...pointerKeys(error.instancePath), String(params.missingProperty)),
        message: 'is required but missing',
      };
    case 'additionalProperties': {
      const known = Object.keys((error.parentSchema?.properties ?? {}) as Record<string, unknown>);
      const suggestion = didYouMean(params.additionalProperty, known);
      return {
        path: specPath(...pointerKeys(error.instancePath), String(params.additionalProperty)),
        message:
          suggestion === ''
            ? 'is not a known key here (check its spelling and the section it is in)'
            : `is not a known key here${suggestion}`,
      };
    }
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      // A misspelt value (kind: 'error', type: 'strng') gets the closest allowed one.
      const suggestion = didYouMean(
        valueAt(spec, pointerKeys(error.instancePath)),
        allowed.filter((value): value is string => typeof value === 'string'),
      );
      return {
        path,
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${suggestion}`,
      };
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern':
      return { path, message: `must match ${String(params.pattern)}` };
    case 'type': {
      const value = valueAt(spec, pointerKeys(error.instancePath));
      // NaN and ±Infinity are numbers to JavaScript; "must be number" would read as a contradiction.
      if (typeof value === 'number' && !Number.isFinite(value))
        return { path, message: `must be a finite number, got ${String(value)}` };
      // A number in a string (YAML's `objective: 99.9%`, a quoted "0.25") is told what to write.
      const expected = params.type;
      const numberText =
        expected === 'number' || expected === 'integer'
          ? numberAsStringMessage(error.instancePath, value, expected)
          : undefined;
      // A histogram's bucket list written as the bounds themselves (`buckets: [0.1, 0.25, 1]`).
      if (numberText === undefined && /^\/histograms\/[^/]+\/buckets$/.test(error.instancePath))
        return {
          path,
          message:
            'must be an object, { boundaries: [...] } or { fromSlos: { min, max } }' +
            // Echoed only when short and plain numbers (a BigInt would make JSON.stringify throw).
            (Array.isArray(value) && value.length <= 20 && value.every((bound) => typeof bound === 'number')
              ? `; for these bounds write buckets: { boundaries: ${JSON.stringify(value)} }`
              : ''),
        };
      return { path, message: numberText ?? error.message ?? 'fails type' };
    }
    case 'minimum': {
      // An objective below 1 is a fraction meant as a percentage (0.999 for 99.9).
      const low = isObjectivePointer(error.instancePath)
        ? lowObjectiveMessage(valueAt(spec, pointerKeys(error.instancePath)))
        : undefined;
      return { path, message: low ?? error.message ?? 'fails minimum' };
    }
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Keys the security stream writes on first sightings and summaries. */
const SECURITY_SUMMARY_KEYS = ['count', 'summary', 'first_time', 'last_time', 'sample', 'top_sources'];
/** The key of the summary line a budgeted event gets at close (its pending suppressed count). */
const BUDGET_SUMMARY_KEY = 'summary';

/**
 * Cross-section rules: event fields do not take envelope names; security events carry source and
 * outcome and are folded, not budgeted; instrument names are unique.
 */
function checkReferences(spec: TelemetrySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const histograms = spec.histograms ?? {};
  const counters = spec.counters ?? {};
  for (const [eventName, event] of Object.entries(spec.events ?? {})) {
    const security = event?.security === true;
    for (const field of Object.keys(event?.fields ?? {})) {
      if (LINE_ENVELOPE_KEYS.includes(field))
        issues.push({
          path: specPath('events', eventName, 'fields', field),
          message: `is a key of every line's envelope (${LINE_ENVELOPE_KEYS.slice(0, 8).join(', ')}, ...): a field of that name would be written twice in one line; rename it`,
        });
      else if (security && SECURITY_SUMMARY_KEYS.includes(field))
        issues.push({
          path: specPath('events', eventName, 'fields', field),
          message: `is written by the security stream on every security line (${SECURITY_SUMMARY_KEYS.join(', ')}); rename the field`,
        });
      else if (field === BUDGET_SUMMARY_KEY && event?.budget !== undefined)
        issues.push({
          path: specPath('events', eventName, 'fields', field),
          message:
            'is written on the summary line a budgeted event gets at close ({summary: true, suppressed: N}), so a line could not be told from it; rename the field',
        });
    }
    if (security && event.budget !== undefined)
      issues.push({
        path: specPath('events', eventName, 'budget'),
        message:
          'a security event is not budgeted: the security stream folds its repeats into counted summaries (maxLinesPerWindow bounds the lines), so remove budget',
      });
    const budgetKey = event?.budget?.key;
    if (budgetKey !== undefined) {
      const field = event.fields?.[budgetKey];
      if (field?.type !== 'string' || field.enum === undefined || field.required === false) {
        issues.push({
          path: specPath('events', eventName, 'budget', 'key'),
          message:
            field === undefined
              ? `names no field of the event${didYouMean(budgetKey, Object.keys(event.fields ?? {}))}`
              : 'must name a required string field with an enum (one budget per value, so the budgets are bounded)',
        });
      }
    }
    if (event?.security !== true) continue;
    for (const key of ['source', 'outcome']) {
      if (event.fields?.[key]?.type !== 'string') {
        issues.push({
          path: specPath('events', eventName, 'fields', key),
          message: 'a security event must declare a string field "source" and a string field "outcome"',
        });
      }
    }
  }
  const seen = new Map<string, string>();
  for (const [section, instruments] of [
    ['counters', counters],
    ['gauges', spec.gauges ?? {}],
    ['histograms', histograms],
  ] as const) {
    for (const instrument of Object.keys(instruments)) {
      const other = seen.get(instrument);
      if (other !== undefined) {
        issues.push({
          path: specPath(section, instrument),
          message: `is also declared in ${other}`,
        });
      }
      seen.set(instrument, section);
    }
  }
  return issues;
}
