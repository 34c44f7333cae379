// JSON Schemas for declared events: the input schema the compiled validator checks on every
// call, and the line schema `plumbline schema export` publishes so log pipelines can check lines.
import type { EventSpec, FieldSpec, TelemetrySpec } from '../spec/types.js';
import { SECURITY_OVERFLOW_EVENT } from './security-stream.js';

export type JsonSchema = { readonly [key: string]: unknown };

export const REDACTED = '[REDACTED]';
export const DEFAULT_MAX_STRING_LENGTH = 4096;
/**
 * The longest JSON a `string[]` or `object` field may take on a line (its `maxLength` overrides):
 * a longer value is left out and the line marked `too_long`, so a hostile value cannot make a line
 * the destination refuses whole (regression: object-field-made-line-refused-whole.test.ts).
 */
export const DEFAULT_MAX_JSON_LENGTH = 16 * 1024;

function fieldValueSchema(field: FieldSpec): JsonSchema {
  const description = field.description === undefined ? {} : { description: field.description };
  switch (field.type) {
    case 'string':
      return field.enum === undefined
        ? { type: 'string', ...description }
        : { type: 'string', enum: [...field.enum], ...description };
    case 'integer':
      return { type: 'integer', ...description };
    case 'number':
      return { type: 'number', ...description };
    case 'boolean':
      return { type: 'boolean', ...description };
    case 'string[]':
      return { type: 'array', items: { type: 'string' }, ...description };
    case 'object':
      return { type: 'object', ...description };
  }
}

function requiredFields(event: EventSpec): string[] {
  return Object.entries(event.fields)
    .filter(([, field]) => field.required !== false)
    .map(([name]) => name);
}

/** What `log.event(name, fields)` accepts: exactly the declared fields. */
export function eventInputSchema(event: EventSpec): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(event.fields).map(([name, f]) => [name, fieldValueSchema(f)]),
    ),
    required: requiredFields(event),
    additionalProperties: false,
  };
}

const envelopeProperties = (service: string) => ({
  time: { type: 'string', description: 'ISO 8601 time the line was written' },
  level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
  event: { type: 'string' },
  service: { const: service },
  schema_version: { type: 'string' },
  trace_id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
  span_id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
  trace_flags: { type: 'string', pattern: '^[0-9a-f]{2}$' },
});
const ENVELOPE_REQUIRED = ['time', 'level', 'event', 'service', 'schema_version'];

/** A folded line's own fields: repeats counted over a window, with one sample kept. */
const FOLDED_PROPERTIES = {
  summary: { const: true },
  count: { type: 'integer', minimum: 1 },
  first_time: { type: 'string' },
  last_time: { type: 'string' },
  sample: { type: 'object' },
};
const FOLDED_REQUIRED = Object.keys(FOLDED_PROPERTIES);

const violationsSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    properties: {
      field: { type: 'string' },
      reason: { type: 'string' },
      omitted: {
        type: 'integer',
        minimum: 1,
        description:
          'On an entry without field: how many more violations of this reason the line does not list.',
      },
    },
    required: ['reason'],
  },
};

/** The schema of one event's lines: a valid line, or a line marked with its violations. */
export function eventLineSchema(spec: TelemetrySpec, name: string, event: EventSpec): JsonSchema {
  const fieldProperties = Object.fromEntries(
    Object.entries(event.fields).map(([fieldName, field]) => [
      fieldName,
      field.sensitive === true ? { const: REDACTED } : fieldValueSchema(field),
    ]),
  );
  const envelope = envelopeProperties(spec.service.name);
  const security: Record<string, JsonSchema> =
    event.security === true ? { count: { type: 'integer', minimum: 1 } } : {};
  // A rate budget's count of lines left out before this one.
  if (event.budget !== undefined) security.suppressed = { type: 'integer', minimum: 1 };
  const branches: JsonSchema[] = [];
  if (event.security === true) {
    branches.push({
      type: 'object',
      description: 'Repeats of this event from one source inside a folding window, as one line.',
      properties: {
        ...envelope,
        event: { const: name },
        source: { type: 'string' },
        outcome: { type: 'string' },
        ...FOLDED_PROPERTIES,
      },
      required: [...ENVELOPE_REQUIRED, 'source', ...FOLDED_REQUIRED],
      additionalProperties: false,
    });
  }
  if (event.budget !== undefined) {
    branches.push({
      type: 'object',
      description: 'Written when the log closes: lines the rate budget left out that no later line carried.',
      properties: {
        ...envelope,
        event: { const: name },
        level: { const: event.level },
        summary: { const: true },
        suppressed: { type: 'integer', minimum: 1 },
      },
      required: [...ENVELOPE_REQUIRED, 'summary', 'suppressed'],
      additionalProperties: false,
    });
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `plumbline:${spec.service.name}/events/${name}`,
    title: name,
    ...(event.description === undefined ? {} : { description: event.description }),
    oneOf: [
      {
        type: 'object',
        properties: {
          ...envelope,
          event: { const: name },
          level: { const: event.level },
          ...fieldProperties,
          ...security,
        },
        required: [...ENVELOPE_REQUIRED, ...requiredFields(event)],
        additionalProperties: false,
      },
      {
        type: 'object',
        description: 'A line whose input broke the schema: only valid fields are kept, the rest listed.',
        properties: {
          ...envelope,
          event: { const: name },
          ...fieldProperties,
          ...security,
          schema_violations: violationsSchema,
        },
        required: [...ENVELOPE_REQUIRED, 'schema_violations'],
        additionalProperties: false,
      },
      ...branches,
    ],
  };
}

/** Every line a service can write: one schema per event, plus the unknown-event line. */
export function specLineSchemas(spec: TelemetrySpec): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  for (const [name, event] of Object.entries(spec.events)) schemas[name] = eventLineSchema(spec, name, event);
  return schemas;
}

/** One document holding every event's line schema, selected by the `event` key. */
export function specLineSchemaDocument(spec: TelemetrySpec): JsonSchema {
  const perEvent = specLineSchemas(spec);
  const envelope = envelopeProperties(spec.service.name);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `plumbline:${spec.service.name}/events`,
    title: `${spec.service.name} event log lines`,
    description: 'Generated by `plumbline schema export` from the telemetry spec.',
    $defs: Object.fromEntries(Object.entries(perEvent).map(([name, schema]) => [name, stripMeta(schema)])),
    oneOf: [
      ...Object.keys(perEvent).map((name) => ({ $ref: `#/$defs/${encodeURIComponent(name)}` })),
      {
        type: 'object',
        description: 'A line for an event name the spec does not declare; its fields are not written.',
        properties: {
          ...envelope,
          event: { type: 'string', not: { enum: Object.keys(perEvent) } },
          unknown_fields: { type: 'array', items: { type: 'string' } },
          unknown_fields_omitted: {
            type: 'integer',
            minimum: 1,
            description: 'How many more fields the call had than unknown_fields lists.',
          },
          schema_violations: violationsSchema,
        },
        required: [...ENVELOPE_REQUIRED, 'schema_violations'],
        additionalProperties: false,
      },
      {
        type: 'object',
        description: 'Security events past the per-window line bound, folded into one line.',
        properties: {
          ...envelope,
          event: { const: SECURITY_OVERFLOW_EVENT },
          source: { const: SECURITY_OVERFLOW_EVENT },
          ...FOLDED_PROPERTIES,
          top_sources: {
            type: 'array',
            description:
              'The heaviest sources folded here (Space-Saving): count is an upper bound, error how much of it may be other sources.',
            items: {
              type: 'object',
              properties: {
                source: { type: 'string' },
                count: { type: 'integer', minimum: 1 },
                error: { type: 'integer', minimum: 0 },
              },
              required: ['source', 'count', 'error'],
              additionalProperties: false,
            },
          },
        },
        required: [...ENVELOPE_REQUIRED, 'summary', 'count', 'sample'],
        additionalProperties: false,
      },
    ],
  };
}

function stripMeta(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}
