// Early validation of a request body: one event or an array of them, checked against the
// blueprint's event shape. The first problem is returned as a reason a client can act on.

export interface IncomingEvent {
  readonly type: string;
  readonly id?: string;
  /** Milliseconds since the epoch, as sent or parsed from an ISO 8601 string. */
  readonly timestamp?: number;
  /** The subject the dependencies enrich (defaults to the tenant). */
  readonly user?: string;
  readonly payload?: Readonly<Record<string, unknown>>;
  /**
   * The payload as the JSON text to store, when it was serialized where the body was parsed (a
   * parse worker: text crosses to the event loop as a copy, an object as a structured clone that
   * costs the loop about what parsing it would). Absent: the service serializes `payload`.
   */
  readonly payloadJson?: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly events: readonly IncomingEvent[] }
  | {
      readonly ok: false;
      readonly reason: 'invalid_json' | 'invalid_event';
      /** Echoes what the client sent: untrusted, escaped by the logger before any destination. */
      readonly detail: string;
      /** The client's id of the event that failed, when it had a string one (untrusted too). */
      readonly eventId?: string;
    };

export interface ValidationLimits {
  readonly maxEventsPerRequest: number;
  readonly maxDepth: number;
}

const KNOWN_KEYS = new Set(['type', 'id', 'timestamp', 'user', 'payload']);
const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** Bodies above this size have their events counted by a scan before JSON.parse builds them. */
const SCAN_ABOVE_CHARS = 64 * 1024;

/** Strict: invalid UTF-8 is refused, not turned into U+FFFD and stored changed. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes a body's bytes as UTF-8 (refusing invalid UTF-8) and parses them; never throws. */
export function parseBytes(
  bytes: Uint8Array,
  limits: ValidationLimits,
  parse: (body: string, limits: ValidationLimits) => ValidationResult = parseEvents,
): ValidationResult {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, reason: 'invalid_json', detail: 'body: not valid UTF-8' };
  }
  return parse(text, limits);
}

/** Parses and validates a body; never throws. */
export function parseEvents(body: string, limits: ValidationLimits): ValidationResult {
  if (body.length > SCAN_ABOVE_CHARS) {
    const count = countTopLevelElements(body, limits.maxEventsPerRequest);
    if (count > limits.maxEventsPerRequest)
      return invalid(`body: at most ${limits.maxEventsPerRequest} events per request, got more`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    // Never V8's message itself: it quotes the body ("Unexpected token 's', "secret-tok"..."), and
    // a body can hold anything, a credential sent to the wrong place included. The position is
    // what a client needs.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    return {
      ok: false,
      reason: 'invalid_json',
      detail: `body is not valid JSON${position === undefined ? '' : ` (at position ${position})`}`,
    };
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return invalid('body: expected at least one event');
  if (list.length > limits.maxEventsPerRequest)
    return invalid(`body: at most ${limits.maxEventsPerRequest} events per request, got ${list.length}`);
  const events: IncomingEvent[] = new Array(list.length);
  const parsedKeys = { count: 0 };
  for (let i = 0; i < list.length; i++) {
    const at = Array.isArray(value) ? `events[${i}]` : 'event';
    const problem = checkEvent(list[i], at, limits.maxDepth) ?? unwritableString(list[i], at, parsedKeys);
    if (problem !== undefined) return invalid(problem, idOf(list[i]));
    events[i] = normalise(list[i] as Record<string, unknown>);
  }
  // What JSON.parse did not keep, found in the source text since the parsed value no longer shows
  // it: a number it rounded (the one place numbers are checked), or a key whose value a later one in
  // the same object replaced, told by counting: the text has more keys than the parsed objects.
  const source = scanSource(body);
  if (source.inexactNumber !== undefined) {
    const { start, end } = source.inexactNumber;
    const { path, index } = pathAt(body, start, Array.isArray(value));
    return invalid(`${path}: ${numberProblem(body.slice(start, end))}`, idOf(list[index]));
  }
  if (source.keys !== parsedKeys.count) {
    const repeated = firstRepeatedKey(body, Array.isArray(value));
    return repeated === undefined
      ? invalid('body: an object repeats a key')
      : invalid(`${repeated.path}: duplicate field ${fieldName(repeated.key)}`, idOf(list[repeated.index]));
  }
  return { ok: true, events };
}

function invalid(detail: string, eventId?: string): ValidationResult {
  return eventId === undefined
    ? { ok: false, reason: 'invalid_event', detail }
    : { ok: false, reason: 'invalid_event', detail, eventId };
}

function idOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const id = (event as Record<string, unknown>).id;
  return typeof id === 'string' && id !== '' ? id.slice(0, 128) : undefined;
}

function checkEvent(event: unknown, at: string, maxDepth: number): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return `${at}: expected an object, got ${kind(event)}`;
  const record = event as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.has(key)) return `${at}: unknown field ${fieldName(key)}`;
  }
  const { type, id, timestamp, user, payload } = record;
  if (typeof type !== 'string') return `${at}.type: expected a string, got ${kind(type)}`;
  if (!TYPE_PATTERN.test(type))
    return `${at}.type: expected 1-64 of [A-Za-z0-9_.:-] starting with a letter, got "${type.slice(0, 64)}"`;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 128))
    return `${at}.id: expected a string of 1-128 characters`;
  if (user !== undefined && (typeof user !== 'string' || user.length === 0 || user.length > 128))
    return `${at}.user: expected a string of 1-128 characters`;
  if (timestamp !== undefined && toMillis(timestamp) === undefined)
    return `${at}.timestamp: expected epoch milliseconds or an ISO 8601 string`;
  if (payload !== undefined) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      return `${at}.payload: expected an object, got ${kind(payload)}`;
    if (depthExceeds(payload, maxDepth)) return `${at}.payload: nested deeper than ${maxDepth} levels`;
  }
  return undefined;
}

function normalise(record: Record<string, unknown>): IncomingEvent {
  return {
    type: record.type as string,
    id: record.id as string | undefined,
    timestamp: record.timestamp === undefined ? undefined : toMillis(record.timestamp),
    user: record.user as string | undefined,
    payload: record.payload as Record<string, unknown> | undefined,
  };
}

function toMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/**
 * Elements of a top-level JSON array, counted without building them, stopping at `max + 1`;
 * 1 for anything that is not an array. Strings are skipped with their escapes, so brackets and
 * commas inside them do not count. A malformed body is left to JSON.parse to name.
 */
export function countTopLevelElements(body: string, max: number): number {
  let i = 0;
  while (i < body.length && isSpace(body.charCodeAt(i))) i++;
  if (body.charCodeAt(i) !== 0x5b /* [ */) return 1;
  let depth = 0;
  let count = 0;
  let sawValue = false;
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = endOfString(body, i);
      if (depth === 1) sawValue = true;
    } else if (c === 0x5b || c === 0x7b /* { */) {
      depth++;
      if (depth === 2) sawValue = true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
      if (depth === 0) break;
    } else if (c === 0x2c /* , */ && depth === 1) {
      count++;
      if (count > max) return count;
    } else if (depth === 1 && !isSpace(c)) sawValue = true;
  }
  return sawValue ? count + 1 : count;
}

/**
 * A body of valid JSON's keys, counted in its text (strings followed by a colon), and its first
 * number that would not be stored as sent (the count stops there): its source text denotes another
 * value than the double JSON.parse makes of it, written back the shortest way (what JSON.stringify
 * stores): 0.12345678901234567890123 (stored as 0.12345678901234568), 1e-400 (0), 1e400
 * (Infinity, then null); or its value is an integer beyond 2^53 (any number that large is), refused
 * even where a double holds it exactly, since its neighbours are not. Spellings of one value are
 * kept: 1.0 and 1, 1e2 and 100, -0 and 0.
 *
 * The count finds repeated keys without holding any: JSON.parse keeps one property per distinct
 * key of an object and drops the values a repeat replaces (with the objects in them), so the
 * objects it makes have as many keys in all as the text only when no object repeats one. Comparing
 * keys here instead (a list per open object, a Set past 16 keys) made parseEvents 1.06-1.26x slower
 * on 1 MiB bodies and 1.35x on a small one, against 1.00-1.05x for counting; the Set is left to
 * firstRepeatedKey, which names the key once the count has found one.
 *
 * A scan of the text, not JSON.parse's reviver with `context.source` (Node >= 22 only; V8 11.3 of
 * Node 20 has it behind a flag): that calls a function for every value and took 135 ms for a 1 MiB
 * body of 260k numbers, against 3 ms for this scan and 4 ms for JSON.parse itself; and a reviver
 * never sees the value a repeated key replaced.
 */
export function scanSource(body: string): SourceScan {
  let keys = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = endOfString(body, i);
      let next = i + 1;
      while (isSpace(body.charCodeAt(next))) next++;
      if (body.charCodeAt(next) === 0x3a /* : */) keys++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let digits = 0;
      let exponent = false;
      let j = i;
      for (; j < body.length; j++) {
        const d = body.charCodeAt(j);
        if (d >= 0x30 && d <= 0x39) digits++;
        else if (d === 0x65 || d === 0x45 /* e E */) exponent = true;
        else if (d !== 0x2e && d !== 0x2b && d !== 0x2d /* . + - */) break;
      }
      // Up to 15 digits and no exponent: a double holds every such decimal (DBL_DIG is 15) and
      // its value is 0 or at least 1e-15, far from the subnormals. The common case stops here.
      if ((exponent || digits > 15) && !keptExactly(body.slice(i, j)))
        return { keys, inexactNumber: { start: i, end: j } };
      i = j - 1;
    }
  }
  return { keys };
}

export interface SourceScan {
  /** Keys in the text, up to the inexact number when there is one. */
  readonly keys: number;
  /** Where the first number that would not be stored as sent is, if any. */
  readonly inexactNumber?: { readonly start: number; readonly end: number };
}

/** Index of the closing quote of the string that opens at `start`. */
function endOfString(body: string, start: number): number {
  let i = start + 1;
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) break;
  }
  return i;
}

/** Whether a number's text is stored as sent: it round-trips, and is not an integer beyond 2^53. */
function keptExactly(text: string): boolean {
  const value = Number(text);
  return roundTrips(text) && !(Number.isInteger(value) && !Number.isSafeInteger(value));
}

/** What is wrong with a number scanSource found. */
function numberProblem(text: string): string {
  const value = Number(text);
  if (!Number.isFinite(value)) return 'number out of range (it would be stored as null)';
  if (Number.isInteger(value) && !Number.isSafeInteger(value))
    return 'integer beyond 2^53 would be rounded; send it as a string';
  return `number ${text.slice(0, 64)} would be stored as ${String(value)}; send it as a string`;
}

/** Whether a JSON number's text and the shortest text of its double denote one decimal value. */
export function roundTrips(text: string): boolean {
  const value = Number(text);
  if (!Number.isFinite(value)) return false;
  const source = decimal(text);
  const stored = decimal(String(value));
  return (
    source.digits === stored.digits &&
    source.exponent === stored.exponent &&
    source.negative === stored.negative
  );
}

/** A number's text as sign, significant digits (no leading or trailing zeros) and exponent; 0 has no sign. */
function decimal(text: string): { negative: boolean; digits: string; exponent: number } {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return { negative: false, digits: text, exponent: Number.NaN };
  const fraction = match[3] ?? '';
  let digits = match[2]! + fraction;
  let exponent = Number(match[4] ?? 0) - fraction.length;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 0x30) first++;
  let last = digits.length;
  while (last > first && digits.charCodeAt(last - 1) === 0x30) last--;
  exponent += digits.length - last;
  digits = digits.slice(first, last);
  if (digits === '') return { negative: false, digits: '', exponent: 0 };
  return { negative: match[1] === '-', digits, exponent };
}

/**
 * The path of the value that starts at `offset` in a body of valid JSON, named as the checks
 * above name fields (`events[2].payload.list[0]`), and the index of its event.
 */
function pathAt(body: string, offset: number, isArray: boolean): { path: string; index: number } {
  const frames = openContainers(body, offset, false).frames;
  return pathOfFrames(frames, frames.length, isArray);
}

/**
 * The first key of a body of valid JSON that its object has already, decoded as JSON.parse
 * decodes it (`"a"` and `"\u0061"` are one key), and the path of that object. Linear: each open
 * object holds its keys in a Set, dropped when it closes.
 */
function firstRepeatedKey(
  body: string,
  isArray: boolean,
): { path: string; index: number; key: string } | undefined {
  const { frames, repeated } = openContainers(body, body.length, true);
  if (repeated === undefined) return undefined;
  return { ...pathOfFrames(frames, frames.length - 1, isArray), key: repeated };
}

/** A container open at some point of a body's text: an array's current index, or an object's current key. */
interface SourceFrame {
  readonly array: boolean;
  index: number;
  key: string;
  atKey: boolean;
  /** The object's keys so far, when looking for a repeated one. */
  readonly keys: Set<string> | undefined;
}

/**
 * The containers open at `offset` in a body of valid JSON, outermost first; with `findRepeated`,
 * those open at the first key its object has already, and that key.
 */
function openContainers(
  body: string,
  offset: number,
  findRepeated: boolean,
): { frames: SourceFrame[]; repeated?: string } {
  const frames: SourceFrame[] = [];
  for (let i = 0; i < offset; i++) {
    const c = body.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (c === 0x22) {
      const end = endOfString(body, i);
      if (top !== undefined && !top.array && top.atKey) {
        // Only a key with an escape needs decoding to compare or print.
        const raw = body.slice(i + 1, end);
        top.key = raw.includes('\\') ? (JSON.parse(body.slice(i, end + 1)) as string) : raw;
        if (top.keys !== undefined) {
          if (top.keys.has(top.key)) return { frames, repeated: top.key };
          top.keys.add(top.key);
        }
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const array = c === 0x5b;
      const keys = findRepeated && !array ? new Set<string>() : undefined;
      frames.push({ array, index: 0, key: '', atKey: !array, keys });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */ && top !== undefined) {
      if (top.array) top.index++;
      else top.atKey = true;
    } else if (c === 0x3a /* : */ && top !== undefined) {
      top.atKey = false;
    }
  }
  return { frames };
}

/** The path of the value in the `depth`th of `frames` (the body itself at 0), and its event's index. */
function pathOfFrames(
  frames: readonly SourceFrame[],
  depth: number,
  isArray: boolean,
): { path: string; index: number } {
  let path = isArray ? `events[${frames[0]?.index ?? 0}]` : 'event';
  for (let f = isArray ? 1 : 0; f < depth; f++) {
    const frame = frames[f]!;
    path += frame.array ? `[${frame.index}]` : `.${frame.key.slice(0, 64)}`;
  }
  return { path, index: isArray ? (frames[0]?.index ?? 0) : 0 };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The first string of an event that cannot be written as UTF-8, named by its path: a value or key
 * with a lone UTF-16 surrogate (sent as a \uD800 escape). Numbers are scanSource's; every key walked
 * is added to `parsedKeys`, which scanSource's count of the text's keys is compared with.
 * Iterative, like depthExceeds. Scalars are checked where they stand and a container keeps only
 * its parent and key: a path is spelled out only for the string it reports (regression:
 * blueprint-large-array-body-timed-out.test.ts, 500,000 numbers took 200-470 ms when every element
 * got a path string).
 */
function unwritableString(event: unknown, at: string, parsedKeys: { count: number }): string | undefined {
  if (typeof event === 'string') return event.isWellFormed() ? undefined : `${at}: ${LONE_SURROGATE}`;
  if (typeof event !== 'object' || event === null) return undefined;
  const stack: Frame[] = [{ value: event, parent: undefined, key: at }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const value = frame.value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'string') {
          if (!item.isWellFormed()) return `${pathOf(frame)}[${i}]: ${LONE_SURROGATE}`;
        } else if (typeof item === 'object' && item !== null)
          stack.push({ value: item, parent: frame, key: i });
      }
      continue;
    }
    const keys = Object.keys(value);
    parsedKeys.count += keys.length;
    for (const key of keys) {
      if (!key.isWellFormed()) return `${pathOf(frame)}: a key holds a lone UTF-16 surrogate`;
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'string') {
        if (!item.isWellFormed()) return `${pathOf(frame)}.${key.slice(0, 64)}: ${LONE_SURROGATE}`;
      } else if (typeof item === 'object' && item !== null) stack.push({ value: item, parent: frame, key });
    }
  }
  return undefined;
}

const LONE_SURROGATE = 'string holds a lone UTF-16 surrogate';

/** A container met while walking an event: its parent, and its index or key there (the root: its path). */
interface Frame {
  readonly value: object;
  readonly parent: Frame | undefined;
  readonly key: string | number;
}

/** `events[0].payload.list[3]`: the frame's path, spelled out from the root. */
function pathOf(frame: Frame): string {
  let path = '';
  for (let at: Frame | undefined = frame; at !== undefined; at = at.parent) {
    if (at.parent === undefined) return `${String(at.key)}${path}`;
    path = typeof at.key === 'number' ? `[${at.key}]${path}` : `.${at.key.slice(0, 64)}${path}`;
  }
  return path;
}

/** True when containers nest more than `limit` levels; iterative so hostile nesting cannot blow the stack. */
function depthExceeds(root: object, limit: number): boolean {
  const stack: [object, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > limit) return true;
    // Arrays by index: Object.values would copy a 500,000-element array to walk it.
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      }
    } else
      for (const key of Object.keys(value)) {
        const child: unknown = (value as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      }
  }
  return false;
}

/** A key as the messages quote it: JSON, cut to 64 characters. */
function fieldName(key: string): string {
  return JSON.stringify(key.slice(0, 64));
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
