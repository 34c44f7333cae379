// Checks event log lines (the JSON lines a service writes) and OTLP log records against the
// spec: declared events only, each line valid against its event's line schema, sensitive
// fields redacted, and trace_id on lines written inside a span. OTLP records of other loggers
// than plumbline's event logger are not events (not-spec-log-records.ts): only their sensitive
// fields are checked. An OTLP record of an event is held to the same line schema as a line: its
// attributes are the line's fields.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { REDACTED, specLineSchemaDocument, specLineSchemas, type JsonSchema } from '../logs/field-schema.js';
import { SECURITY_OVERFLOW_EVENT } from '../logs/security-stream.js';
import type { EventSpec, TelemetrySpec } from '../spec/types.js';
import type { DeviationSource, Deviations } from './deviations.js';
import { EVENT_LOGGER_SCOPE, isNotSpecLogScope, NotSpecLogRecords } from './not-spec-log-records.js';
import type { OtlpLogRecord } from './otlp-decode.js';

/** Per event: lines with and without a trace ID, for the "some lines lost their span" check. */
interface TraceTally {
  withTrace: number;
  withoutTrace: number;
}

export class EventChecker {
  private readonly validators = new Map<string, ValidateFunction>();
  /** Per event: the keys its line schema allows beside the envelope, which a record may carry. */
  private readonly recordKeys = new Map<string, ReadonlySet<string>>();
  private readonly tallies = new Map<string, TraceTally>();
  /** The published schema's branch for the security overflow summary, when it has one. */
  private readonly overflowValidator: ValidateFunction | undefined;
  /** Lines and records read. */
  lines = 0;
  records = 0;

  constructor(
    private readonly spec: TelemetrySpec,
    private readonly sensitiveFields: ReadonlySet<string>,
    private readonly deviations: Deviations,
    /** Takes the OTLP records of other loggers than plumbline's event logger. */
    readonly notSpec: NotSpecLogRecords = new NotSpecLogRecords(),
  ) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    for (const [name, schema] of Object.entries(specLineSchemas(spec))) {
      this.validators.set(name, ajv.compile(schema));
      this.recordKeys.set(name, recordAttributeKeys(spec.events[name]!, schema));
    }
    const overflow = ((specLineSchemaDocument(spec).oneOf ?? []) as JsonSchema[]).find(
      (branch) =>
        (branch.properties as Record<string, JsonSchema> | undefined)?.event?.const ===
        SECURITY_OVERFLOW_EVENT,
    );
    this.overflowValidator = overflow === undefined ? undefined : ajv.compile(overflow);
  }

  /** One line of an event log (blank lines are skipped). */
  checkLine(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.lines++;
    let line: unknown;
    try {
      line = JSON.parse(trimmed);
    } catch {
      this.deviations.add('event-schema', '(not JSON)', 'logs', `line is not JSON: ${trimmed.slice(0, 80)}`);
      return;
    }
    if (typeof line !== 'object' || line === null || Array.isArray(line)) {
      this.deviations.add(
        'event-schema',
        '(not an object)',
        'logs',
        `line is not a JSON object: ${trimmed.slice(0, 80)}`,
      );
      return;
    }
    const record = line as Record<string, unknown>;
    const name = record.event;
    if (typeof name !== 'string') {
      this.deviations.add('event-schema', '(no event)', 'logs', 'line has no "event" key');
      return;
    }
    if (name === SECURITY_OVERFLOW_EVENT && this.overflowValidator !== undefined) {
      this.checkOverflowSummary(record, 'logs');
      return;
    }
    const event = this.spec.events[name];
    if (event === undefined) {
      this.deviations.add('undeclared-event', name, 'logs', 'event not in the spec');
      return;
    }
    // Folded security summaries carry one redacted sample line of their own.
    const sample = record.summary === true && typeof record.sample === 'object' ? record.sample : undefined;
    this.checkSensitive(name, record, 'logs');
    if (sample !== null && sample !== undefined)
      this.checkSensitive(name, sample as Record<string, unknown>, 'logs');
    if (Array.isArray(record.schema_violations)) {
      this.deviations.add(
        'event-schema',
        name,
        'logs',
        `written with schema_violations ${JSON.stringify(record.schema_violations)}`,
      );
    } else {
      const validate = this.validators.get(name)!;
      if (!validate(this.withSensitiveRedacted(name, record)))
        this.deviations.add('event-schema', name, 'logs', describeErrors(validate.errors ?? [], true));
    }
    if (record.summary !== true)
      this.checkTrace(name, typeof record.trace_id === 'string' && record.trace_id !== '', 'logs');
  }

  /** One OTLP log record: an event sent through OTel Logs, or another logger's record. */
  checkRecord(record: OtlpLogRecord): void {
    this.records++;
    if (isNotSpecLogScope(record.scope)) {
      this.notSpec.add(record.scope);
      // The spec's sensitive fields are sensitive in any record, as in any span.
      for (const [key, value] of Object.entries(record.attributes))
        if (this.sensitiveFields.has(key) && value !== REDACTED)
          this.deviations.add(
            'sensitive-unredacted',
            `${record.scope} ${key}`,
            'otlp-logs',
            `sensitive field ${key} in clear, in a log record that is not an event`,
          );
      return;
    }
    const name =
      record.eventName !== ''
        ? record.eventName
        : typeof record.attributes.event === 'string'
          ? record.attributes.event
          : '';
    if (name === SECURITY_OVERFLOW_EVENT && this.overflowValidator !== undefined) {
      this.checkOverflowSummary(this.recordAsLine(name, 'warn', record.attributes), 'otlp-logs');
      return;
    }
    const event = this.spec.events[name];
    if (event === undefined) {
      this.deviations.add(
        'undeclared-event',
        name === '' ? '(no event name)' : name,
        'otlp-logs',
        record.scope === ''
          ? 'event not in the spec (record without an instrumentation scope)'
          : `event not in the spec (scope ${EVENT_LOGGER_SCOPE})`,
      );
      return;
    }
    const attributes = record.attributes as Record<string, unknown>;
    this.checkSensitive(name, attributes, 'otlp-logs');
    const allowed = this.recordKeys.get(name)!;
    for (const key of Object.keys(attributes)) {
      if (key === 'event') continue;
      if (!allowed.has(key))
        this.deviations.add(
          'event-schema',
          `${name}.${key}`,
          'otlp-logs',
          `attribute ${key} is not a declared field`,
        );
    }
    if (attributes.schema_violations !== undefined) {
      this.deviations.add(
        'event-schema',
        name,
        'otlp-logs',
        `sent with schema_violations ${JSON.stringify(attributes.schema_violations)}`,
      );
    } else {
      // The attributes as a line's fields, held to the line schema: a missing required field, a
      // wrong type. Undeclared attributes are reported above, one row each.
      const validate = this.validators.get(name)!;
      const line = this.recordAsLine(name, event.level, record.attributes);
      if (!validate(this.withSensitiveRedacted(name, line))) {
        const detail = describeErrors(validate.errors ?? [], false);
        if (detail !== '') this.deviations.add('event-schema', name, 'otlp-logs', detail);
      }
    }
    // A security summary is written when its window closes, outside any span (as its line is).
    if (attributes.summary !== true)
      this.checkTrace(name, record.traceId !== '' && !/^0+$/.test(record.traceId), 'otlp-logs');
  }

  /**
   * The security stream's overflow summary (a line, or a record as a line): its schema branch,
   * and the sensitive fields of the sample line it keeps.
   */
  private checkOverflowSummary(line: Record<string, unknown>, source: DeviationSource): void {
    const validate = this.overflowValidator!;
    if (!validate(line))
      this.deviations.add(
        'event-schema',
        SECURITY_OVERFLOW_EVENT,
        source,
        describeErrors(validate.errors ?? [], true),
      );
    const sample = line.sample;
    if (typeof sample === 'object' && sample !== null && !Array.isArray(sample)) {
      const fields = sample as Record<string, unknown>;
      this.checkSensitive(
        typeof fields.event === 'string' ? fields.event : SECURITY_OVERFLOW_EVENT,
        fields,
        source,
      );
    }
  }

  /**
   * An OTLP record's attributes as the line the same call writes: the attributes are the fields,
   * under the envelope the record carries elsewhere (its event name, severity, resource). OTLP
   * carries an undefined value as an empty AnyValue (read as null): left out, as JSON leaves it.
   */
  private recordAsLine(
    name: string,
    level: string,
    attributes: Readonly<Record<string, unknown>>,
  ): Record<string, unknown> {
    const line: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(attributes)) if (value !== null) line[key] = value;
    return Object.assign(line, {
      time: RECORD_TIME,
      level,
      event: name,
      service: this.spec.service.name,
      schema_version: this.spec.schemaVersion ?? '1',
    });
  }

  /** Events seen both with and without a trace ID: some code path lost its span (run at the end). */
  finish(): void {
    for (const [key, tally] of this.tallies) {
      const [name, source] = key.split('\u0000') as [string, DeviationSource];
      if (this.spec.events[name]?.inSpan === true) continue; // already reported line by line
      if (tally.withTrace > 0 && tally.withoutTrace > 0)
        this.deviations.add(
          'missing-trace-id',
          name,
          source,
          `${tally.withoutTrace} of ${tally.withTrace + tally.withoutTrace} lines carry no trace_id while the others do`,
        );
    }
  }

  private checkTrace(name: string, hasTrace: boolean, source: DeviationSource): void {
    if (!hasTrace && this.spec.events[name]?.inSpan === true)
      this.deviations.add('missing-trace-id', name, source, 'declared inSpan, written without trace_id');
    const key = `${name}\u0000${source}`;
    let tally = this.tallies.get(key);
    if (tally === undefined) this.tallies.set(key, (tally = { withTrace: 0, withoutTrace: 0 }));
    if (hasTrace) tally.withTrace++;
    else tally.withoutTrace++;
  }

  /** Any field named like a sensitive field of the spec must hold the redaction marker. */
  private checkSensitive(name: string, fields: Record<string, unknown>, source: DeviationSource): void {
    for (const key of Object.keys(fields)) {
      if (this.sensitiveFields.has(key) && fields[key] !== REDACTED && fields[key] !== undefined)
        this.deviations.add(
          'sensitive-unredacted',
          `${name}.${key}`,
          source,
          `sensitive field ${key} in clear`,
        );
    }
  }

  /** The line with sensitive fields set to the marker, so their leak is reported once, by its own kind. */
  private withSensitiveRedacted(name: string, record: Record<string, unknown>): Record<string, unknown> {
    const fields = this.spec.events[name]!.fields;
    let copy: Record<string, unknown> | undefined;
    for (const [key, field] of Object.entries(fields)) {
      if (field.sensitive === true && key in record && record[key] !== REDACTED)
        (copy ??= { ...record })[key] = REDACTED;
    }
    return copy ?? record;
  }
}

/**
 * What a record of an event may carry as attributes: whatever its line schema allows (its fields,
 * the trace keys a security line repeats, a security line's count and summary keys, a budget's
 * `suppressed`, `schema_violations`) but the envelope every line requires (time, level, service
 * …), which a record carries elsewhere.
 */
function recordAttributeKeys(event: EventSpec, schema: JsonSchema): Set<string> {
  const branches = (schema.oneOf ?? []) as JsonSchema[];
  const keys = new Set<string>();
  for (const branch of branches) for (const key of Object.keys(branch.properties ?? {})) keys.add(key);
  for (const key of (branches[0]?.required ?? []) as string[])
    if (event.fields[key] === undefined) keys.delete(key);
  return keys;
}

/** The `time` of a record read as a line (OTLP carries it as timeUnixNano, not as a field). */
const RECORD_TIME = new Date(0).toISOString();

/**
 * The errors of the valid-line branch, the one a line is meant to match; without the undeclared
 * fields when `undeclared` is false (an OTLP record's are reported one by one).
 */
function describeErrors(errors: readonly ErrorObject[], undeclared: boolean): string {
  const own = errors.filter((e) => e.schemaPath.startsWith('#/oneOf/0/'));
  const shown = (own.length > 0 ? own : errors).filter(
    (e) => undeclared || e.keyword !== 'additionalProperties',
  );
  const parts = shown.map((e) => {
    const params = e.params as Record<string, unknown>;
    const where = e.instancePath === '' ? '' : `${e.instancePath.slice(1)} `;
    if (e.keyword === 'additionalProperties') return `undeclared field ${String(params.additionalProperty)}`;
    if (e.keyword === 'required') return `missing field ${String(params.missingProperty)}`;
    return `${where}${e.message ?? e.keyword}`;
  });
  return [...new Set(parts)].join('; ');
}
