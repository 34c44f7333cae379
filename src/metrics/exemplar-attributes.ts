// The filtered attributes of a stored exemplar, read at scrape and export time. The reservoir
// keeps a shallow copy of a measurement's undeclared attributes, made as it takes a slot, without
// looking at the values (or the attributes themselves, when they could not be walked), so what
// the app put in them is first looked at here, where nothing may throw: a value that is no
// attribute value, or that cannot be read, is left out and counted by the caller, never thrown
// into a scrape or an export.
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { wellFormed } from './series-table.js';

/** The attributes that can be written, and how many undeclared ones could not. */
export interface FilteredAttributes {
  /** Strings well-formed (a lone surrogate is U+FFFD, as it is written), a bigint as its decimal. */
  readonly attributes: Attributes;
  /** Left out: a value that is no attribute value (an object, a function), or that threw when read. */
  readonly dropped: number;
}

const NONE: FilteredAttributes = Object.freeze({ attributes: Object.freeze({}), dropped: 0 });
/** A value that cannot be written: left out and counted. */
const UNWRITABLE = Symbol('unwritable');

/**
 * The attributes of `stored` (what the app passed to record/add) that `declared` does not name,
 * as they can be written. null and undefined values are absent, as on the series.
 */
export function readFilteredAttributes(stored: unknown, declared: ReadonlySet<string>): FilteredAttributes {
  if (typeof stored !== 'object' || stored === null) return NONE;
  let keys: string[];
  try {
    keys = Object.keys(stored);
  } catch {
    return { attributes: {}, dropped: 1 }; // a Proxy whose ownKeys throws: at least one lost
  }
  let attributes: Record<string, AttributeValue> | undefined;
  let dropped = 0;
  for (const key of keys) {
    if (declared.has(key)) continue;
    let value: AttributeValue | null | undefined | typeof UNWRITABLE;
    try {
      value = writable((stored as Record<string, unknown>)[key]);
    } catch {
      value = UNWRITABLE;
    }
    if (value === undefined || value === null) continue;
    if (value === UNWRITABLE) dropped++;
    else (attributes ??= {})[key] = value;
  }
  return attributes === undefined && dropped === 0 ? NONE : { attributes: attributes ?? {}, dropped };
}

function writable(value: unknown): AttributeValue | null | undefined | typeof UNWRITABLE {
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value)) return writableItem(value);
  // A copy: the app's array is read once, here.
  const items: (string | number | boolean | null | undefined)[] = [];
  for (const item of value as unknown[]) {
    const written = item === undefined || item === null ? item : writableItem(item);
    if (written === UNWRITABLE) return UNWRITABLE;
    items.push(written);
  }
  return items as AttributeValue;
}

function writableItem(value: unknown): string | number | boolean | typeof UNWRITABLE {
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    default:
      return UNWRITABLE;
  }
}
