// An event's line written without pino's generic path: compiled once per event from its spec,
// one pass over the caller's fields both validates and serializes. It produces exactly the
// bytes pino would (same envelope, same key order, same escaping) and gives up, returning
// undefined, on anything that is not a plainly valid call; the caller then takes pino's path,
// which validates with Ajv, repairs, counts and marks the line as before.
import type { Context } from '@opentelemetry/api';
import type { Logger as PinoLogger } from 'pino';
import { pinoOnUse } from './pino-on-use.js';
import { LINE_ENVELOPE_KEYS } from '../spec/naming.js';
import type { EventSpec } from '../spec/types.js';
import { DEFAULT_MAX_JSON_LENGTH, DEFAULT_MAX_STRING_LENGTH, REDACTED } from './field-schema.js';
import { activeTraceFields } from './trace-fields.js';
import { mayBeRewrittenByJson, mayHoldLoneSurrogate } from './rewritten-by-json.js';
import { hasControlCharacters } from './untrusted.js';

const Kind = { String: 0, Integer: 1, Number: 2, Boolean: 3, StringArray: 4, Object: 5 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface FieldPlan {
  readonly kind: Kind;
  /** `,"key":` as pino writes it. */
  readonly prefix: string;
  readonly required: boolean;
  readonly sensitive: boolean;
  readonly untrusted: boolean;
  readonly cap: number;
  readonly allowed: ReadonlySet<string> | undefined;
}

/**
 * Keys pino itself writes or treats specially (its envelope, the error and message keys), and
 * plumbline's own: an event declaring one of them keeps pino's path, where duplicates and
 * serializers behave as they always did.
 */
const PINO_OWN_KEYS = new Set<string>([...LINE_ENVELOPE_KEYS, 'err', 'msg']);

/** Whether a string field's value must go through the repairing path (capped, escaped, fixed). */
export function stringNeedsRepair(value: string, cap: number, untrusted: boolean): boolean {
  return value.length > cap || (untrusted && hasControlCharacters(value)) || !value.isWellFormed();
}

/** pino's isoTime chunk, built once per millisecond (toISOString costs more than the rest of a line). */
let timeMs = -1;
let timeChunk = '';
function isoTimeChunk(): string {
  const now = Date.now();
  if (now !== timeMs) {
    timeMs = now;
    timeChunk = `,"time":"${new Date(now).toISOString()}"`;
  }
  return timeChunk;
}

/** The trace fields chunk of the last context seen: a request writes several lines in one context. */
let lastContext: Context | undefined;
let lastTraceChunk = '';
function traceChunk(context: Context): string {
  if (context !== lastContext) {
    const fields = activeTraceFields(context);
    lastTraceChunk =
      fields === undefined
        ? ''
        : `,"trace_id":${JSON.stringify(fields.trace_id)},"span_id":${JSON.stringify(fields.span_id)},"trace_flags":${JSON.stringify(fields.trace_flags)}`;
    lastContext = context;
  }
  return lastTraceChunk;
}

export class LineSerializer {
  private readonly plans = new Map<string, FieldPlan>();
  private readonly requiredCount: number;
  /** `{"level":"info"` */
  private readonly head: string;
  /** `,"service":…,"event":…,"schema_version":…` */
  private readonly bindings: string;
  private readonly end: string;

  private constructor(logger: PinoLogger, level: number, event: EventSpec) {
    const slots = logger as unknown as Record<symbol, unknown>;
    const { lsCacheSym, chindingsSym, endSym } = pinoOnUse().symbols;
    this.head = (slots[lsCacheSym] as Record<number, string>)[level]!;
    this.bindings = slots[chindingsSym] as string;
    this.end = slots[endSym] as string;
    let required = 0;
    for (const [key, field] of Object.entries(event.fields)) {
      const isRequired = field.required !== false;
      if (isRequired) required++;
      this.plans.set(key, {
        kind: KINDS[field.type],
        prefix: `,${JSON.stringify(key)}:`,
        required: isRequired,
        sensitive: field.sensitive === true,
        untrusted: field.untrusted === true,
        cap:
          field.maxLength ?? (field.type === 'string' ? DEFAULT_MAX_STRING_LENGTH : DEFAULT_MAX_JSON_LENGTH),
        allowed: field.enum === undefined ? undefined : new Set(field.enum),
      });
    }
    this.requiredCount = required;
  }

  /**
   * A serializer for the event, or undefined where only pino's path is exact: a field named like
   * an envelope key, a name pino would escape differently, or a logger whose stream wants
   * pino's metadata (pino-pretty, multistream) or that has hooks or a mixin.
   */
  static compile(logger: PinoLogger, event: EventSpec): LineSerializer | undefined {
    const slots = logger as unknown as Record<symbol, unknown>;
    const { streamSym, needsMetadataGsym, mixinSym, hooksSym, formattersSym, timeSym, nestedKeySym } =
      pinoOnUse().symbols;
    const stream = slots[streamSym] as Record<symbol, unknown> | undefined;
    if (stream === undefined || stream[needsMetadataGsym] === true) return undefined;
    if (slots[mixinSym] !== undefined || slots[nestedKeySym] !== null) return undefined;
    const hooks = slots[hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
    if (hooks?.logMethod !== undefined || hooks?.streamWrite !== undefined) return undefined;
    if ((slots[formattersSym] as { log?: unknown }).log !== undefined) return undefined;
    if (slots[timeSym] !== pinoOnUse().stdTimeFunctions.isoTime) return undefined;
    for (const key of Object.keys(event.fields)) {
      if (PINO_OWN_KEYS.has(key) || !key.isWellFormed() || key.length > 100) return undefined;
    }
    const level = logger.levels.values[event.level];
    if (level === undefined) return undefined;
    return new LineSerializer(logger, level, event);
  }

  /**
   * The whole line (as the logger's pino would write it) for a plainly valid call; undefined
   * sends the call down pino's path. `context`: where the trace fields come from; `suppressed`:
   * lines the event's rate budget left out before this one (written when > 0). `attributes`
   * (for OTel Logs) gets the values the line is written from, sensitive ones redacted: read
   * again, a getter could answer otherwise.
   */
  line(
    fields: unknown,
    context: Context,
    suppressed = 0,
    attributes?: Record<string, unknown>,
  ): string | undefined {
    if (typeof fields !== 'object' || fields === null) return undefined;
    // A plain object: for...in then sees its own keys only, the ones pino writes.
    const prototype = Object.getPrototypeOf(fields) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return undefined;
    const plans = this.plans;
    let body = '';
    let required = 0;
    const record = fields as Record<string, unknown>;
    for (const key in record) {
      const value = record[key];
      const plan = plans.get(key);
      if (plan === undefined) return undefined;
      // An optional field set to undefined is absent (Ajv and pino agree).
      if (value === undefined) continue;
      let json: string | undefined;
      switch (plan.kind) {
        case Kind.String:
          if (typeof value !== 'string') return undefined;
          if (plan.allowed !== undefined && !plan.allowed.has(value)) return undefined;
          if (stringNeedsRepair(value, plan.cap, plan.untrusted)) return undefined;
          json = plan.sensitive ? undefined : JSON.stringify(value);
          break;
        case Kind.Integer:
          if (!Number.isInteger(value)) return undefined;
          json = plan.sensitive ? undefined : String(value);
          break;
        case Kind.Number:
          if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
          json = plan.sensitive ? undefined : String(value);
          break;
        case Kind.Boolean:
          if (typeof value !== 'boolean') return undefined;
          json = plan.sensitive ? undefined : value ? 'true' : 'false';
          break;
        case Kind.StringArray:
          if (!Array.isArray(value) || value.length * 2 > plan.cap || !isStringArray(value)) return undefined;
          // Entries to escape: the slow path escapes them.
          if (plan.untrusted && value.some(hasControlCharacters)) return undefined;
          if (plan.sensitive) break;
          json = JSON.stringify(value);
          // Over its cap: the slow path leaves it out and marks the line. A lone surrogate
          // (JSON writes it as an escape): the slow path writes U+FFFD, as for a string field.
          if (json.length > plan.cap || mayHoldLoneSurrogate(json)) return undefined;
          break;
        case Kind.Object:
          // pino writes JSON.stringify's answer and falls back to its safe stringifier when that
          // throws (cycles, BigInt): those stay on pino's path.
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
          // An Error stringifies to {}: the slow path writes its message and stack. A list or typed
          // array surely over the cap is not written at all (the slow path leaves it out).
          if (value instanceof Error || surelyLongerThan(value, plan.cap)) return undefined;
          // A Date or anything with a toJSON may not write as an object: the slow path checks.
          if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
          if (plan.sensitive) break;
          try {
            json = JSON.stringify(value);
          } catch {
            return undefined;
          }
          if (json === undefined || json.length > plan.cap || mayHoldLoneSurrogate(json)) return undefined;
          // An Error nested inside is written as {}, and OTel Logs drops a field holding a Date, a
          // Map or a class instance: the slow path writes such a field from its JSON, each Error
          // as pino writes `err`, and hands OTel Logs that plain data.
          if (mayBeRewrittenByJson(value)) return undefined;
          // OTel Logs refuses a map holding a key named constructor: the slow path sends its text.
          if (attributes !== undefined && json.includes(CONSTRUCTOR_KEY)) return undefined;
          break;
      }
      if (plan.required) required++;
      body += plan.prefix + (json ?? REDACTED_JSON);
      if (attributes !== undefined) attributes[key] = plan.sensitive ? REDACTED : value;
    }
    if (required !== this.requiredCount) return undefined;
    // A rate budget's count goes last, where pino writes a key added after the fields.
    if (suppressed > 0) body += `,"suppressed":${suppressed}`;
    return this.head + isoTimeChunk() + this.bindings + traceChunk(context) + body + this.end;
  }
}

const REDACTED_JSON = JSON.stringify(REDACTED);

/**
 * A key named `constructor` in an object's JSON (in a string it is written `\"constructor\":`, and
 * a string value is never followed by a colon). OTel's Logs SDK (2.x and 3.x) refuses a map whose
 * `constructor` is not Object, at any depth, taking it for a class instance: the whole attribute
 * is dropped with a diag warning.
 */
export const CONSTRUCTOR_KEY = '"constructor":';

const KINDS: Readonly<Record<EventSpec['fields'][string]['type'], Kind>> = {
  string: Kind.String,
  integer: Kind.Integer,
  number: Kind.Number,
  boolean: Kind.Boolean,
  'string[]': Kind.StringArray,
  object: Kind.Object,
};

/**
 * Whether `value`'s JSON is surely longer than `cap` without writing it: a list writes at least
 * 2 characters per entry, a typed array (an object of indices) at least 6. A 1e6-entry
 * Uint8Array in an object field was stringified twice (fast path, then this check) and held the
 * event loop for 614 ms before it was left out as too_long (hostile-input trial).
 */
export function surelyLongerThan(value: object, cap: number): boolean {
  if (Array.isArray(value)) return value.length * 2 > cap;
  if (ArrayBuffer.isView(value)) return value.byteLength * 6 > cap;
  return false;
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}
