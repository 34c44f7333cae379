// Schema-enforced event logs on pino: each declared event gets, once at creation, a pino child
// with its envelope bindings and redaction, an Ajv validator (compiled on first use) and a line
// serializer. A valid call is validated and written in one pass by the serializer, byte for byte
// what pino would write; anything else takes pino's path, where bad input is written as a marked
// line and counted.
import type { Context } from '@opentelemetry/api';
import { activeContext } from '../active-context.js';
import type { Ajv, ValidateFunction } from 'ajv';
import type { DestinationStream, Logger as PinoLogger, LoggerOptions } from 'pino';
import { pinoOnUse } from './pino-on-use.js';
import { onUse } from '../require-on-use.js';
import type { EventFields, EventName, EventSpec, LogLevel, TelemetrySpec } from '../spec/types.js';
import {
  DEFAULT_MAX_JSON_LENGTH,
  DEFAULT_MAX_STRING_LENGTH,
  REDACTED,
  eventInputSchema,
} from './field-schema.js';
import { lineOutput, type LineOutput } from './line-batch.js';
import { flushDestination, resolveDestination } from './log-destination.js';
import { EventBudget } from './line-budget.js';
import { CONSTRUCTOR_KEY, LineSerializer, stringNeedsRepair, surelyLongerThan } from './line-serializer.js';
import {
  errorsAsPinoWritesThem,
  mayHoldLoneSurrogate,
  rewrittenByJson,
  wellFormedJson,
} from './rewritten-by-json.js';
import { SecurityStream, type SecurityStreamOptions } from './security-stream.js';
import { withOwnStream } from './own-stream.js';
import { activeTraceFields } from './trace-fields.js';
import { escapeControlCharacters, escapeControlCharactersWithin, hasControlCharacters } from './untrusted.js';
import {
  MAX_UNKNOWN_FIELDS,
  SchemaViolationError,
  cappedName,
  violationsFromAjv,
  type Violation,
  type ViolationReason,
} from './violations.js';

/** Where OTel Logs (OTLP) get a copy of each line; see otel-bridge.ts. */
export interface LogBridge {
  /** `context`: the one passed to `event`, if any (the record's trace context). */
  emit(event: string, level: LogLevel, attributes: Record<string, unknown>, context?: Context): void;
}

export interface EventLoggerOptions {
  /** A pino destination stream, a file path, or a file descriptor. Default: stdout (fd 1). */
  readonly destination?: DestinationStream | string | number;
  /** Lowest level written. Default: 'info', or PLUMBLINE_LOG_LEVEL. */
  readonly level?: LogLevel;
  /** Throw SchemaViolationError on bad input instead of writing a marked line (for tests). */
  readonly strict?: boolean;
  /** Called once per violation of a call, listed on the line or not (the telemetry counts these on a metric). */
  readonly onViolation?: (event: string, reason: ViolationReason) => void;
  /**
   * Called when a full asynchronous destination had to drop a write: its length and the lines
   * in it (a write can hold several lines; see line-batch.ts). (0, 1) for a destination error.
   */
  readonly onDrop?: (bytes: number, lines: number) => void;
  /** Largest buffered bytes of an asynchronous file/fd destination before it drops. Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  readonly bridge?: LogBridge;
  /** Where security events go (never the application log). Default: stderr (fd 2). */
  readonly securityDestination?: DestinationStream | string | number;
  /** Folding of repeated security events; see SecurityStream. */
  readonly security?: SecurityStreamOptions;
  /** Called for every security event, folded or not (the telemetry counts these on a metric). */
  readonly onSecurityEvent?: (event: string, outcome: string) => void;
  /** Called for every line an event's rate budget leaves out (the telemetry counts these on a metric). */
  readonly onSuppressed?: (event: string) => void;
  /** Clock in ms for rate budgets; default performance.now (monotonic: a wall-clock step cannot stall a budget). */
  readonly now?: () => number;
}

export interface EventLogger<S extends TelemetrySpec = TelemetrySpec> {
  /**
   * Writes one event line; typed from the spec, validated at run time, never throws (but in
   * strict mode). `context` (as in OTel's Histogram.record) is where the line's trace_id and
   * span_id are read from; without it, the active context. Passing the request's context
   * spares a `context.with` around the call.
   */
  event<N extends EventName<S>>(name: N, fields: EventFields<S['events'][N]>, context?: Context): void;
  /** Flushes an asynchronous destination (and writes pending security summaries). */
  flush(): Promise<void>;
  /**
   * Writes pending security summaries and, per budgeted event, a summary of the lines its rate
   * budget left out that no written line carried; stops the folding timer and flushes.
   */
  close(): Promise<void>;
}

/** The label value for events the spec does not declare: a name from the call could be anything. */
export const UNKNOWN_EVENT_LABEL = '(unknown)';

interface CompiledEvent {
  readonly name: string;
  readonly level: LogLevel;
  readonly enabled: boolean;
  readonly logger: PinoLogger;
  readonly write: (this: PinoLogger, object: object) => void;
  readonly validate: ValidateFunction;
  readonly declared: ReadonlySet<string>;
  /** Keys of string fields and their caps, checked after validation passes. */
  readonly stringKeys: readonly string[];
  readonly stringCaps: readonly number[];
  /** Per string field: escape control characters (user-supplied values). */
  readonly stringUntrusted: readonly boolean[];
  /** Keys of the `string[]` and `object` fields that are written (not sensitive), and their JSON caps. */
  readonly jsonKeys: readonly string[];
  readonly jsonCaps: readonly number[];
  /** Per json key: an `object` field (else `string[]`). */
  readonly jsonObject: readonly boolean[];
  /** Per json key: `untrusted: true` (a `string[]` field's entries are escaped). */
  readonly jsonUntrusted: readonly boolean[];
  readonly sensitiveKeys: readonly string[];
  readonly security: boolean;
  /** Writes plainly valid calls without pino's generic path; undefined where only pino's is exact. */
  readonly serializer: LineSerializer | undefined;
  /** The event's rate budget, if the spec gives one. */
  readonly budget: EventBudget | undefined;
}

export function createEventLogger<const S extends TelemetrySpec>(
  spec: S,
  options: EventLoggerOptions = {},
): EventLogger<S> {
  return new SchemaEventLogger(spec, options) as unknown as EventLogger<S>;
}

/** pino options shared by the event logger and the bench's bare-pino baseline. */
export function pinoOptions(spec: TelemetrySpec, level: LogLevel): LoggerOptions {
  return {
    level,
    base: { service: spec.service.name },
    timestamp: pinoOnUse().stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
}

class SchemaEventLogger {
  private readonly events = new Map<string, CompiledEvent>();
  private readonly root: PinoLogger;
  private readonly unknownLogger: PinoLogger;
  private readonly strict: boolean;
  private readonly onViolation: ((event: string, reason: ViolationReason) => void) | undefined;
  private readonly bridge: LogBridge | undefined;
  private readonly destination: DestinationStream;
  /** Where compiled lines go: the destination, batched per turn when it is a sonic-boom. */
  private readonly output: LineOutput;
  private readonly securityDestination: DestinationStream | undefined;
  private readonly securityStream: SecurityStream | undefined;
  private readonly onSecurityEvent: ((event: string, outcome: string) => void) | undefined;
  private readonly onSuppressed: ((event: string) => void) | undefined;

  constructor(spec: TelemetrySpec, options: EventLoggerOptions) {
    const level = options.level ?? (process.env.PLUMBLINE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
    const maxBufferedBytes = options.maxBufferedBytes ?? 16 << 20;
    this.destination = resolveDestination(options.destination, maxBufferedBytes, options.onDrop);
    this.root = withOwnStream(pinoOnUse()(pinoOptions(spec, level), this.destination), this.destination);
    // A destination of our own drops writes past maxBufferedBytes: hand over a quarter at most.
    this.output = lineOutput(
      this.destination,
      typeof options.destination === 'object' ? undefined : maxBufferedBytes / 4,
    );
    this.strict = options.strict === true;
    this.onViolation = options.onViolation;
    this.bridge = options.bridge;
    const schemaVersion = spec.schemaVersion ?? '1';
    this.unknownLogger = this.root.child({ schema_version: schemaVersion });
    // One ajv for the logger's events, made by the first validator that runs (compiledOnFirstCall).
    let shared: Ajv | undefined;
    const ajv = (): Ajv => (shared ??= new (onUse('ajv').Ajv)({ allErrors: true, strict: true }));
    let securityRoot: PinoLogger | undefined;
    if (Object.values(spec.events).some((event) => event.security === true)) {
      this.securityDestination = resolveDestination(
        options.securityDestination ?? 2,
        options.maxBufferedBytes ?? 16 << 20,
        options.onDrop,
      );
      securityRoot = withOwnStream(
        pinoOnUse()(pinoOptions(spec, level), this.securityDestination),
        this.securityDestination,
      );
      const bridge = options.bridge;
      this.securityStream = new SecurityStream(
        securityRoot.child({ schema_version: schemaVersion }),
        options.security,
        bridge === undefined
          ? undefined
          : (event, method, summary) => bridge.emit(event, method, this.summaryForOtelLogs(event, summary)),
      );
    }
    this.onSecurityEvent = options.onSecurityEvent;
    this.onSuppressed = options.onSuppressed;
    const now = options.now ?? (() => performance.now());
    for (const [name, event] of Object.entries(spec.events)) {
      const root = event.security === true && securityRoot !== undefined ? securityRoot : this.root;
      // Compiled lines only for the application log (security events fold in their own stream).
      this.events.set(name, compileEvent(root, ajv, name, event, schemaVersion, root === this.root, now));
    }
  }

  /** A security summary as OTel Logs gets it: its sample's object fields as forOtelLogs gives them. */
  private summaryForOtelLogs(event: string, summary: Record<string, unknown>): Record<string, unknown> {
    const compiled = this.events.get(event);
    const sample = summary.sample as Record<string, unknown> | null | undefined;
    if (compiled === undefined || typeof sample !== 'object' || sample === null) return summary;
    // Once per folding window, not per line: the sample's object fields are written again here.
    const forOtel = forOtelLogs(compiled, sample, undefined);
    return forOtel === sample ? summary : { ...summary, sample: forOtel };
  }

  event(name: string, fields: unknown, context?: Context): void {
    try {
      this.write(name, fields, context);
    } catch (error) {
      if (this.strict) throw error;
      this.unreadable(name, context);
    }
  }

  /**
   * The call could not be read: a field's getter or a Proxy threw, or `context` is not a Context.
   * Nothing is thrown into the app: the event is written without its fields (a line saying so,
   * counted as `unreadable`), so the call is not lost either.
   */
  private unreadable(name: unknown, context: Context | undefined): void {
    try {
      const compiled = typeof name === 'string' ? this.events.get(name) : undefined;
      if (compiled === undefined) {
        this.unknownEvent(name, undefined, undefined);
        return;
      }
      this.report(compiled.name, [{ reason: 'unreadable' }]);
      if (!compiled.enabled) return;
      this.output.flush();
      let traceFields: ReturnType<typeof activeTraceFields>;
      let traceContext = context;
      try {
        traceFields = activeTraceFields(context);
      } catch {
        traceFields = undefined; // not a Context: the line goes without trace IDs
        traceContext = undefined;
      }
      const line = { ...traceFields, schema_violations: [{ reason: 'unreadable' }] };
      if (compiled.security)
        this.securityEvent(compiled, { ...line, outcome: 'unreadable' }, traceContext, undefined);
      else {
        compiled.write.call(compiled.logger, line);
        this.bridge?.emit(
          compiled.name,
          compiled.level,
          { schema_violations: line.schema_violations },
          traceContext,
        );
      }
    } catch {
      // the last resort: counted above when it got that far, never thrown
    }
  }

  private write(name: string, fields: unknown, context?: Context): void {
    const compiled = this.events.get(name);
    if (compiled === undefined) {
      this.unknownEvent(name, fields, context);
      return;
    }
    if (!compiled.enabled) {
      // Strict mode (tests) checks every event, written or not: a debug event's mistake must not
      // wait for a run at debug level (a team's tests at the default info level missed them all).
      if (this.strict) this.check(compiled, fields);
      return;
    }
    if (compiled.budget !== undefined) {
      const budgets = compiled.budget;
      let read = fields;
      let unreadable = false;
      let readError: unknown;
      if (budgets.keyed) {
        // The fields read once, and the line written from that reading: the key field read again
        // by the line, a getter answering "a" then "b" was charged to a's budget and written as b
        // (regression: budget-key-read-twice-charges-one-key-logs-another).
        try {
          // A spread reads each own enumerable field once (V8 clones a plain object's shape).
          if (typeof fields === 'object' && fields !== null && !Array.isArray(fields)) read = { ...fields };
        } catch (error) {
          unreadable = true;
          readError = error;
        }
      }
      // An unreadable call is charged to the event's shared budget, as one without its key.
      const budget = unreadable ? budgets.shared : budgets.for(read);
      if (!budget.take()) return this.suppress(compiled.name);
      if (unreadable) throw readError;
      const suppressed = budget.takeSuppressed();
      if (suppressed > 0) {
        try {
          this.writeLine(compiled, read, context, suppressed);
        } catch (error) {
          // An unreadable call (a getter threw): its line goes without the count, the next one
          // carries it.
          budget.giveBack(suppressed);
          throw error;
        }
        return;
      }
      this.writeLine(compiled, read, context, 0);
      return;
    }
    this.writeLine(compiled, fields, context, 0);
  }

  private writeLine(
    compiled: CompiledEvent,
    fields: unknown,
    context: Context | undefined,
    suppressed: number,
  ): void {
    const name = compiled.name;
    if (compiled.serializer !== undefined) {
      // Read once: the line and the OTel Logs bridge take their trace IDs from the same context.
      const traceContext = context ?? activeContext();
      // OTel Logs gets the values the line is written from (each field is read once).
      const attributes: Record<string, unknown> | undefined = this.bridge === undefined ? undefined : {};
      const text = compiled.serializer.line(fields, traceContext, suppressed, attributes);
      if (text !== undefined) {
        this.output.write(text);
        if (attributes !== undefined) {
          if (suppressed > 0) attributes.suppressed = suppressed;
          this.bridge!.emit(name, compiled.level, attributes, traceContext);
        }
        return;
      }
    }
    // One reading of the caller's fields for every step below (Ajv, the caps, pino, OTel Logs):
    // read by each, a getter was validated with one answer and written with another.
    const read = fieldsReadOnce(fields);
    // The caps write each object field's JSON: OTel Logs (forOtelLogs) takes it from there.
    const objectTexts: ObjectTexts | undefined = this.bridge === undefined ? undefined : [];
    let line = compiled.validate(read)
      ? this.capStrings(compiled, read as Record<string, unknown>, objectTexts)
      : this.repair(compiled, read, violationsOf(compiled, read), objectTexts);
    if (suppressed > 0) line = { ...line, suppressed };
    const traceFields = activeTraceFields(context);
    if (compiled.security) {
      this.securityEvent(compiled, Object.assign(traceFields ?? {}, line), context, objectTexts);
      return;
    }
    const output = traceFields === undefined ? line : Object.assign(traceFields, line);
    // pino writes this one: what is batched goes first, so lines keep their order.
    this.output.flush();
    compiled.write.call(compiled.logger, output);
    if (this.bridge !== undefined)
      this.bridge.emit(
        name,
        compiled.level,
        forOtelLogs(compiled, redactedCopy(compiled, line), objectTexts),
        context,
      );
  }

  /** Strict mode, an event below the level: what writing it would report, without a line. */
  private check(compiled: CompiledEvent, fields: unknown): void {
    if (compiled.validate(fields)) this.capStrings(compiled, fields as Record<string, unknown>);
    else this.report(compiled.name, violationsOf(compiled, fields));
  }

  async flush(): Promise<void> {
    this.output.flush();
    this.securityStream?.closeWindow();
    await Promise.all([flushDestination(this.destination), flushDestination(this.securityDestination)]);
  }

  async close(): Promise<void> {
    this.securityStream?.close();
    this.writeSuppressedSummaries();
    await this.flush();
  }

  /**
   * Closing: the lines a rate budget left out that no later line carried (the event went quiet
   * after its storm) are written as one summary line per event, so the log, not only
   * plumbline_log_suppressed_total{event}, says they were left out.
   */
  private writeSuppressedSummaries(): void {
    for (const compiled of this.events.values()) {
      if (compiled.budget === undefined) continue;
      try {
        const suppressed = compiled.budget.takePending();
        if (suppressed === 0) continue;
        const summary = { summary: true, suppressed };
        this.output.flush();
        compiled.write.call(compiled.logger, summary);
        this.bridge?.emit(compiled.name, compiled.level, { summary: true, suppressed });
      } catch {
        // never thrown into the app's shutdown: the count is on plumbline_log_suppressed_total
      }
    }
  }

  private suppress(event: string): void {
    try {
      this.onSuppressed?.(event);
    } catch {
      // counting must not turn a log call into an exception
    }
  }

  /** `objectTexts`: the line's, from capStrings (see forOtelLogs). */
  private securityEvent(
    compiled: CompiledEvent,
    line: Record<string, unknown>,
    context: Context | undefined,
    objectTexts: ObjectTexts | undefined,
  ): void {
    try {
      // An outcome the schema refused is gone from the line: counted as "(invalid)", one bounded
      // label value, rather than as the string "undefined".
      this.onSecurityEvent?.(compiled.name, typeof line.outcome === 'string' ? line.outcome : '(invalid)');
    } catch {
      // counting must not turn a log call into an exception
    }
    // Redact here, not only in pino: a folded line is kept as the summary's nested `sample`.
    const redacted = redactedCopy(compiled, line);
    // OTel Logs gets what the stream writes: this line if it is written now, a summary for the
    // folded ones when the window closes (before, a flood of 40,000 events exported 40,000 records
    // beside 10 folded lines).
    const written =
      this.securityStream?.offer(compiled.logger, compiled.level, compiled.name, redacted) ?? true;
    if (written && this.bridge !== undefined)
      this.bridge.emit(
        compiled.name,
        compiled.level,
        forOtelLogs(compiled, withoutTraceFields(redacted), objectTexts),
        context,
      );
  }

  /**
   * Copies the line only when a value is over its cap: the common call allocates nothing here.
   * `objectTexts`, when given, gets the JSON the line writes for each object field kept.
   */
  private capStrings(
    compiled: CompiledEvent,
    fields: Record<string, unknown>,
    objectTexts?: ObjectTexts,
  ): Record<string, unknown> {
    let line = fields;
    let violations: Violation[] | undefined;
    for (let i = 0; i < compiled.stringKeys.length; i++) {
      const key = compiled.stringKeys[i]!;
      const value = line[key];
      if (typeof value !== 'string') continue;
      const cap = compiled.stringCaps[i]!;
      if (!stringNeedsRepair(value, cap, compiled.stringUntrusted[i]!)) continue;
      const untrusted = compiled.stringUntrusted[i]! && hasControlCharacters(value);
      if (line === fields) line = { ...fields };
      let kept = value.length > cap ? value.slice(0, cap) : value;
      if (!kept.isWellFormed()) kept = kept.toWellFormed();
      let cut = value.length > cap;
      if (untrusted) {
        // Escapes make the value longer: cut between whole characters and escapes, and say so.
        const escaped = escapeControlCharactersWithin(kept, cap);
        kept = escaped.text;
        cut ||= escaped.cut;
      }
      line[key] = kept;
      if (cut) (violations ??= []).push({ field: key, reason: 'too_long' });
    }
    // A list or object over its cap cannot be cut and stay what it is: it is left out.
    for (let i = 0; i < compiled.jsonKeys.length; i++) {
      const key = compiled.jsonKeys[i]!;
      let value: object | null | undefined = line[key] as object | null | undefined;
      if (typeof value !== 'object' || value === null) continue;
      if (value instanceof Error) {
        // JSON keeps none of an Error's own fields ({}): written as pino writes `err`, with its
        // type, message, stack and cause.
        if (line === fields) line = { ...fields };
        value = line[key] = pinoOnUse().stdSerializers.err(value);
      } else if (compiled.jsonObject[i]! && writesAsNonObject(value)) {
        // A Date (or anything whose toJSON answers a string or a number) in an object field:
        // written, it would not be an object, and the line would fail its schema.
        if (line === fields) line = { ...fields };
        delete line[key];
        (violations ??= []).push({ field: key, reason: 'wrong_type' });
        continue;
      } else if (compiled.jsonUntrusted[i]! && Array.isArray(value) && value.some(isUnsafeString)) {
        if (line === fields) line = { ...fields };
        value = line[key] = value.map((item: unknown) =>
          typeof item === 'string' ? escapeControlCharacters(item) : item,
        );
      }
      const cap = compiled.jsonCaps[i]!;
      // null: surely over the cap, not written at all.
      const json = surelyLongerThan(value, cap) ? null : jsonOf(value);
      if (json != null && json.text.length <= cap) {
        if (json.rewritten) {
          // JSON could not write it (a cycle, a BigInt) or writes it otherwise (an Error, a Date,
          // a Map inside): the line and OTel Logs both get that text's plain data (OTel Logs
          // dropped such a value without a word).
          if (line === fields) line = { ...fields };
          line[key] = JSON.parse(json.text) as unknown;
        }
        if (objectTexts !== undefined && json.asWritten) objectTexts[i] = json.text;
        continue;
      }
      if (line === fields) line = { ...fields };
      delete line[key];
      (violations ??= []).push({ field: key, reason: json === undefined ? 'unreadable' : 'too_long' });
    }
    if (violations !== undefined) {
      this.report(compiled.name, violations);
      line.schema_violations = violations;
    }
    return line;
  }

  /** Keeps the fields that passed, lists the ones that did not; never echoes a bad value. */
  private repair(
    compiled: CompiledEvent,
    fields: unknown,
    violations: Violation[],
    objectTexts?: ObjectTexts,
  ): Record<string, unknown> {
    // Unknown fields are never kept; their names are capped, so they must not match a declared one.
    const bad = new Set(violations.filter((v) => v.reason !== 'unknown_field').map((v) => v.field));
    const line: Record<string, unknown> = {};
    if (typeof fields === 'object' && fields !== null && !Array.isArray(fields)) {
      for (const key of Object.keys(fields)) {
        if (compiled.declared.has(key) && !bad.has(key)) line[key] = (fields as Record<string, unknown>)[key];
      }
    }
    const capped = this.capStrings(compiled, line, objectTexts);
    const all = [...violations, ...((capped.schema_violations as Violation[] | undefined) ?? [])];
    this.report(compiled.name, violations);
    capped.schema_violations = all;
    return capped;
  }

  private unknownEvent(name: unknown, fields: unknown, context: Context | undefined): void {
    const violations: Violation[] = [{ reason: 'unknown_event' }];
    const event = cappedName(nameOf(name));
    this.report(UNKNOWN_EVENT_LABEL, violations, event);
    let keys: string[];
    try {
      keys = typeof fields === 'object' && fields !== null ? Object.keys(fields) : [];
    } catch {
      keys = []; // a Proxy that will not list its keys: the line goes without them (counted once)
    }
    const omitted = keys.length - MAX_UNKNOWN_FIELDS;
    this.output.flush();
    const fieldsOfLine = {
      unknown_fields: keys.slice(0, MAX_UNKNOWN_FIELDS).map(cappedName),
      ...(omitted > 0 ? { unknown_fields_omitted: omitted } : {}),
      schema_violations: violations,
    };
    this.unknownLogger.warn({ event, ...activeTraceFields(context), ...fieldsOfLine });
    // OTel Logs get the same line (a soak found the 140 lines of undeclared events missing there).
    this.bridge?.emit(event, 'warn', fieldsOfLine, context);
  }

  private report(event: string, violations: readonly Violation[], shownName = event): void {
    if (this.strict) throw new SchemaViolationError(shownName, violations);
    if (this.onViolation === undefined) return;
    for (const violation of violations) {
      // Violations a line leaves unlisted are counted all the same.
      for (let count = violation.omitted ?? 1; count > 0; count--) {
        try {
          this.onViolation(event, violation.reason);
        } catch {
          // a failing counter must not turn a log call into an exception
        }
      }
    }
  }
}

/** Why `fields` failed its event's schema (after `compiled.validate` said so). */
function violationsOf(compiled: CompiledEvent, fields: unknown): Violation[] {
  return typeof fields === 'object' && fields !== null && !Array.isArray(fields)
    ? violationsFromAjv(compiled.validate.errors ?? [])
    : [{ reason: 'not_an_object' }];
}

function compileEvent(
  root: PinoLogger,
  ajv: () => Ajv,
  name: string,
  event: EventSpec,
  schemaVersion: string,
  compileLines: boolean,
  now: () => number,
): CompiledEvent {
  const sensitiveKeys = Object.entries(event.fields)
    .filter(([, field]) => field.sensitive === true)
    .map(([key]) => key);
  const logger = root.child(
    { event: name, schema_version: schemaVersion },
    sensitiveKeys.length === 0
      ? {}
      : { redact: { paths: sensitiveKeys.map((key) => JSON.stringify([key])), censor: REDACTED } },
  );
  const stringFields = Object.entries(event.fields).filter(([, field]) => field.type === 'string');
  const jsonFields = Object.entries(event.fields).filter(
    ([, field]) => (field.type === 'object' || field.type === 'string[]') && field.sensitive !== true,
  );
  return {
    name,
    level: event.level,
    enabled: logger.isLevelEnabled(event.level),
    logger,
    write: logger[event.level] as (this: PinoLogger, object: object) => void,
    validate: compiledOnFirstCall(ajv, eventInputSchema(event)),
    declared: new Set(Object.keys(event.fields)),
    stringKeys: stringFields.map(([key]) => key),
    stringCaps: stringFields.map(([, field]) => field.maxLength ?? DEFAULT_MAX_STRING_LENGTH),
    stringUntrusted: stringFields.map(([, field]) => field.untrusted === true),
    jsonKeys: jsonFields.map(([key]) => key),
    jsonCaps: jsonFields.map(([, field]) => field.maxLength ?? DEFAULT_MAX_JSON_LENGTH),
    jsonObject: jsonFields.map(([, field]) => field.type === 'object'),
    jsonUntrusted: jsonFields.map(([, field]) => field.untrusted === true),
    sensitiveKeys,
    security: event.security === true,
    serializer: compileLines && event.security !== true ? LineSerializer.compile(logger, event) : undefined,
    budget: event.budget === undefined ? undefined : new EventBudget(event, now),
  };
}

/**
 * The own enumerable fields of a call (what pino writes), each read once, as a plain object;
 * anything else (an array, a scalar) as it is, for validation to refuse.
 */
function fieldsReadOnce(fields: unknown): unknown {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return fields;
  const read: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const value = (fields as Record<string, unknown>)[key];
    // A key named __proto__ stays a field (assigned, it would set the copy's prototype).
    if (key === '__proto__')
      Object.defineProperty(read, key, { value, enumerable: true, writable: true, configurable: true });
    else read[key] = value;
  }
  return read;
}

/** An event name from the call as text; one that cannot be turned into text is `(unreadable)`. */
function nameOf(name: unknown): string {
  try {
    return String(name);
  } catch {
    return '(unreadable)';
  }
}

function isUnsafeString(item: unknown): boolean {
  return typeof item === 'string' && hasControlCharacters(item);
}

/**
 * Whether JSON would write `value` as something other than an object (an object field's value:
 * never an array, which the schema refused).
 */
function writesAsNonObject(value: object): boolean {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return false;
  try {
    const json: unknown = (toJSON as (key: string) => unknown).call(value, '');
    return typeof json !== 'object' || json === null || Array.isArray(json);
  } catch {
    return false; // left to the length check, which reports it unreadable
  }
}

/**
 * A `string[]` or `object` field's JSON, measured against its cap. `rewritten`: the line holds
 * the text's plain data instead of the value itself. `asWritten`: the text is, byte for byte, what
 * the line writes for the field (JSON.stringify's, or its rewrite, which JSON.parse and
 * JSON.stringify give back as it is; not the fallback's, whose keys are sorted).
 */
interface FieldJson {
  readonly text: string;
  readonly rewritten: boolean;
  readonly asWritten: boolean;
}

/**
 * Per `jsonKeys` index, the JSON the line writes for the field, where capStrings knows it: OTel
 * Logs searches it (forOtelLogs) instead of writing the field again.
 */
type ObjectTexts = (string | undefined)[];

/**
 * The JSON pino writes for `value`: JSON.stringify's; where that throws (a cycle, a BigInt), the
 * text of its fallback, safe-stable-stringify with pino's default limits (depthLimit 5,
 * edgeLimit 100). Undefined when the value cannot be written: a toJSON or a getter that throws
 * (pino would write "[unable to serialize, circular reference ...]" there), or a RangeError
 * (nesting deeper than the stack reaches, JSON longer than a string can be).
 */
function jsonOf(value: object): FieldJson | undefined {
  try {
    const json = JSON.stringify(value);
    if (json === undefined) return { text: '', rewritten: false, asWritten: false };
    // A value JSON writes otherwise (an Error inside, a Date, a Map, a class instance): the line
    // and OTel Logs get the text's plain data, each Error as pino writes `err`. So does one holding
    // a lone surrogate (a request body's "\ud800"): U+FFFD, as in a string field.
    if (!rewrittenByJson(value)) {
      if (!mayHoldLoneSurrogate(json)) return { text: json, rewritten: false, asWritten: true };
      const text = wellFormedJson(json);
      return { text, rewritten: text !== json, asWritten: true };
    }
    return {
      text: wellFormedJson(JSON.stringify(value, errorsAsPinoWritesThem)),
      rewritten: true,
      asWritten: true,
    };
  } catch (error) {
    // A request body nested thousands of levels deep overflows the stack: the fallback would
    // write it cut at 5 levels without a word ({"d":{"d":…"[Object]"}}), so it is left out and
    // counted instead. Cycles and BigInt (TypeError) take pino's fallback, below.
    if (error instanceof RangeError) return undefined;
  }
  try {
    safeJson ??= onUse('safe-stable-stringify').configure(PINO_SAFE_LIMITS);
    const text = safeJson(value, errorsAsPinoWritesThem);
    return text === undefined ? undefined : { text: wellFormedJson(text), rewritten: true, asWritten: false };
  } catch {
    return undefined;
  }
}

const PINO_SAFE_LIMITS = { maximumDepth: 5, maximumBreadth: 100 } as const;
let safeJson:
  | ((
      value: unknown,
      replacer: (this: unknown, key: string, value: unknown) => unknown,
    ) => string | undefined)
  | undefined;

/**
 * The event's Ajv validator, compiled on its first call: a plainly valid call is checked by its
 * serializer and never gets here, so loading ajv and compiling (tens of ms) is paid by the first
 * call that takes pino's path (a bad call, a security event), not by createTelemetry.
 */
function compiledOnFirstCall(ajv: () => Ajv, schema: object): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= ajv().compile(schema);
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as ValidateFunction;
  return validate;
}

/**
 * The line as OTel Logs gets it: an object field holding a key named `constructor` anywhere inside
 * (a request body's `{"constructor":{"prototype":…}}`, or a plain `{"constructor":"Foo"}`) as its
 * JSON text, since sdk-logs refuses such a map whole (before, the record went without the field,
 * and nothing counted it). The same object when there is none. `objectTexts`: the fields' JSON as
 * capStrings wrote it for the line, searched here instead of writing each field again.
 */
function forOtelLogs(
  compiled: CompiledEvent,
  line: Record<string, unknown>,
  objectTexts: ObjectTexts | undefined,
): Record<string, unknown> {
  let copy = line;
  for (let i = 0; i < compiled.jsonKeys.length; i++) {
    if (!compiled.jsonObject[i]!) continue;
    const key = compiled.jsonKeys[i]!;
    const value = line[key];
    if (typeof value !== 'object' || value === null) continue;
    let json = objectTexts?.[i];
    if (json === undefined) {
      try {
        json = JSON.stringify(value);
      } catch {
        continue; // the line holds what JSON could write; a value that throws was left out before
      }
    }
    if (json === undefined || !json.includes(CONSTRUCTOR_KEY)) continue;
    if (copy === line) copy = { ...line };
    copy[key] = json;
  }
  return copy;
}

/**
 * A security line's fields for OTel Logs: the record carries the trace context itself, as every
 * other event's does, so the envelope's `trace_id`, `span_id` and `trace_flags` (which the stream
 * writes on the line) are not repeated as attributes.
 */
function withoutTraceFields(line: Record<string, unknown>): Record<string, unknown> {
  if (!('trace_id' in line)) return line;
  const copy = { ...line };
  delete copy.trace_id;
  delete copy.span_id;
  delete copy.trace_flags;
  return copy;
}

function redactedCopy(compiled: CompiledEvent, line: Record<string, unknown>): Record<string, unknown> {
  if (compiled.sensitiveKeys.length === 0) return line;
  const copy = { ...line };
  for (const key of compiled.sensitiveKeys) if (key in copy) copy[key] = REDACTED;
  return copy;
}
