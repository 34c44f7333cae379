// Schema violations: why a call broke its event's schema, as counted on
// plumbline_log_schema_violations_total{event,reason} and written on the line.
import type { ErrorObject } from 'ajv';

export const VIOLATION_REASONS = [
  'unknown_event',
  'missing_field',
  'unknown_field',
  'wrong_type',
  'not_in_enum',
  'too_long',
  'not_an_object',
] as const;

export type ViolationReason = (typeof VIOLATION_REASONS)[number];

export interface Violation {
  readonly field?: string;
  readonly reason: ViolationReason;
}

/** Thrown only in strict mode, so tests see a bad call where it happens. */
export class SchemaViolationError extends Error {
  constructor(
    readonly event: string,
    readonly violations: readonly Violation[],
  ) {
    super(
      `event "${event}" broke its schema: ` +
        violations.map((v) => (v.field === undefined ? v.reason : `${v.field}: ${v.reason}`)).join(', '),
    );
    this.name = 'SchemaViolationError';
  }
}

/** Maps Ajv's errors to one violation per field (the first reason wins). */
export function violationsFromAjv(errors: readonly ErrorObject[]): Violation[] {
  const byField = new Map<string, Violation>();
  for (const error of errors) {
    let field: string;
    let reason: ViolationReason;
    if (error.keyword === 'required') {
      field = String((error.params as { missingProperty: string }).missingProperty);
      reason = 'missing_field';
    } else if (error.keyword === 'additionalProperties') {
      field = String((error.params as { additionalProperty: string }).additionalProperty);
      reason = 'unknown_field';
    } else {
      field = topField(error.instancePath);
      if (field === '') return [{ reason: 'not_an_object' }];
      reason = error.keyword === 'enum' ? 'not_in_enum' : 'wrong_type';
    }
    if (!byField.has(field)) byField.set(field, { field, reason });
  }
  return [...byField.values()];
}

function topField(instancePath: string): string {
  const first = instancePath.split('/')[1] ?? '';
  return first.replace(/~1/g, '/').replace(/~0/g, '~');
}
