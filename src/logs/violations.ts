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
  // The fields could not be read: a getter or a Proxy threw, or the context was not a Context.
  'unreadable',
] as const;

export type ViolationReason = (typeof VIOLATION_REASONS)[number];

export interface Violation {
  readonly field?: string;
  readonly reason: ViolationReason;
  /** Past MAX_UNKNOWN_FIELDS unknown fields: on one entry (no `field`), how many more the line leaves unlisted. */
  readonly omitted?: number;
}

/** A name from the call (an undeclared event's, an unknown field's) is written at most this long. */
export const MAX_UNKNOWN_NAME_LENGTH = 128;
/** A line lists at most this many unknown fields, and counts the rest. */
export const MAX_UNKNOWN_FIELDS = 32;

/** A name from the call as a line writes it: capped, and valid UTF-8. */
export function cappedName(name: string): string {
  return name.slice(0, MAX_UNKNOWN_NAME_LENGTH).toWellFormed();
}

/** Thrown only in strict mode, so tests see a bad call where it happens. */
export class SchemaViolationError extends Error {
  constructor(
    readonly event: string,
    readonly violations: readonly Violation[],
  ) {
    super(
      `event "${event}" broke its schema: ` +
        violations
          .map((v) =>
            v.omitted !== undefined
              ? `(${v.omitted} more): ${v.reason}`
              : v.field === undefined
                ? v.reason
                : `${v.field}: ${v.reason}`,
          )
          .join(', '),
    );
    this.name = 'SchemaViolationError';
  }
}

/**
 * Maps Ajv's errors to one violation per field (the first reason wins). Unknown fields are the
 * caller's keys, so bounded: the first MAX_UNKNOWN_FIELDS listed by their capped names, the rest
 * counted on one last entry.
 */
export function violationsFromAjv(errors: readonly ErrorObject[]): Violation[] {
  const byField = new Map<string, Violation>();
  let unknown = 0;
  for (const error of errors) {
    let field: string;
    let reason: ViolationReason;
    if (error.keyword === 'required') {
      field = String((error.params as { missingProperty: string }).missingProperty);
      reason = 'missing_field';
    } else if (error.keyword === 'additionalProperties') {
      // The caller's own key: written capped, and only the first few of them.
      field = String((error.params as { additionalProperty: string }).additionalProperty);
      if (!byField.has(field) && ++unknown <= MAX_UNKNOWN_FIELDS)
        byField.set(field, { field: cappedName(field), reason: 'unknown_field' });
      continue;
    } else {
      field = topField(error.instancePath);
      if (field === '') return [{ reason: 'not_an_object' }];
      reason = error.keyword === 'enum' ? 'not_in_enum' : 'wrong_type';
    }
    if (!byField.has(field)) byField.set(field, { field, reason });
  }
  const violations = [...byField.values()];
  if (unknown > MAX_UNKNOWN_FIELDS)
    violations.push({ reason: 'unknown_field', omitted: unknown - MAX_UNKNOWN_FIELDS });
  return violations;
}

function topField(instancePath: string): string {
  const first = instancePath.split('/')[1] ?? '';
  return first.replace(/~1/g, '/').replace(/~0/g, '~');
}
