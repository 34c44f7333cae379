// Checks a spec at startup: its structure (JSON Schema, compiled once), then the references
// between sections. Every problem names its field and says what was expected.
import { Ajv, type ErrorObject } from 'ajv';
import { checkHistograms } from '../metrics/check-histograms.js';
import { checkSampling } from '../sampling/check-sampling.js';
import { checkSlos } from '../slo/check.js';
import { SpecError, type SpecIssue } from './errors.js';
import { checkHttpConventions } from './semconv-http.js';
import { telemetrySpecSchema } from './spec-schema.js';
import type { TelemetrySpec } from './types.js';

/** A check of one section, owned by the area that reads it (metrics, SLOs, sampling). */
export type SpecCheck = (spec: TelemetrySpec) => SpecIssue[];

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateStructure = ajv.compile(telemetrySpecSchema);
const sectionChecks: readonly SpecCheck[] = [
  checkReferences,
  checkHistograms,
  checkSlos,
  checkSampling,
  checkHttpConventions,
];
const validated = new WeakSet<object>();

/** All problems of a spec; empty when it is valid. */
export function specIssues(spec: unknown): SpecIssue[] {
  if (!validateStructure(spec)) return structureIssues(validateStructure.errors ?? []);
  const issues: SpecIssue[] = [];
  for (const check of sectionChecks) issues.push(...check(spec as TelemetrySpec));
  return issues;
}

/** Throws a SpecError listing every problem; returns the spec typed when it is valid. */
export function validateSpec<S extends TelemetrySpec>(spec: S): S {
  if (typeof spec === 'object' && spec !== null && validated.has(spec)) return spec;
  const issues = specIssues(spec);
  if (issues.length > 0) throw new SpecError(issues);
  if (typeof spec === 'object' && spec !== null) validated.add(spec);
  return spec;
}

/** The dotted path of a JSON pointer, quoting keys that hold dots: events["batch.stored"].level */
export function pointerToPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  for (const part of parts) {
    if (/^[0-9]+$/.test(part)) path += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) path += path === '' ? part : `.${part}`;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path === '' ? '(spec)' : path;
}

function structureIssues(errors: readonly ErrorObject[]): SpecIssue[] {
  const issues = new Map<string, SpecIssue>();
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'oneOf' || error.keyword === 'propertyNames') continue;
    const issue = describe(error);
    issues.set(`${issue.path}: ${issue.message}`, issue);
  }
  return [...issues.values()];
}

function describe(error: ErrorObject): SpecIssue {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: child(error.instancePath, params.missingProperty), message: 'is required but missing' };
    case 'additionalProperties':
      return {
        path: child(error.instancePath, params.additionalProperty),
        message: 'is not a known key here (check its spelling and the section it is in)',
      };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern':
      return { path, message: `must match ${String(params.pattern)}` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

function child(pointer: string, key: unknown): string {
  return pointerToPath(`${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

/** Cross-section rules: security events carry source and outcome; instrument names are unique. */
function checkReferences(spec: TelemetrySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const histograms = spec.histograms ?? {};
  const counters = spec.counters ?? {};
  for (const [eventName, event] of Object.entries(spec.events)) {
    if (event.security !== true) continue;
    for (const key of ['source', 'outcome']) {
      if (event.fields[key]?.type !== 'string') {
        issues.push({
          path: `${pointerToPath(`/events/${eventName}/fields`)}.${key}`,
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
          path: pointerToPath(`/${section}/${instrument}`),
          message: `is also declared in ${other}`,
        });
      }
      seen.set(instrument, section);
    }
  }
  return issues;
}
