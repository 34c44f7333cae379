// docs/spec.md documents exactly the fields of the spec's JSON schema: a field added to the
// schema without a row fails here, and so does a row for a field the schema does not have.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CARDINALITY_LIMIT } from '../../src/check/expected.js';
import { DEFAULT_MAX_STRING_LENGTH } from '../../src/logs/field-schema.js';
import {
  DEFAULT_DECISION_WAIT_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_SPANS_PER_TRACE,
  DEFAULT_MAX_TRACES,
} from '../../src/sampling/tail-sampling-processor.js';
import { DEFAULT_MIN_EVENTS } from '../../src/slo/model.js';
import { telemetrySpecSchema } from '../../src/spec/spec-schema.js';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'spec.md');

/** What the schema says about one field path. */
interface SchemaField {
  required: boolean;
  /** Allowed literal values (enum or const), when the field is one of a fixed set. */
  literals: unknown[];
}

type Node = Record<string, unknown>;

// The placeholder a map's entries get in a path, named after the map.
const ENTRY_NAMES: Record<string, string> = {
  events: '<event>',
  fields: '<field>',
  counters: '<metric>',
  gauges: '<metric>',
  histograms: '<metric>',
  slos: '<slo>',
  alerting: '<tier>',
};

/** Every field path of the schema: each key under `properties`, through maps, arrays, oneOf and allOf/then. */
function schemaFields(schema: Node): Map<string, SchemaField> {
  const fields = new Map<string, SchemaField>();
  const visit = (node: unknown, path: string, lastKey: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Node;
    const required = new Set((n.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries((n.properties as Node | undefined) ?? {})) {
      const at = path === '' ? key : `${path}.${key}`;
      const known = fields.get(at) ?? { required: false, literals: [] };
      if (required.has(key)) known.required = true;
      const c = child as Node;
      for (const value of [...((c.enum as unknown[] | undefined) ?? []), ...('const' in c ? [c.const] : [])])
        if (!known.literals.includes(value)) known.literals.push(value);
      fields.set(at, known);
      visit(child, at, key);
    }
    for (const branch of [
      ...((n.oneOf as Node[] | undefined) ?? []),
      ...((n.anyOf as Node[] | undefined) ?? []),
    ])
      visit(branch, path, lastKey);
    for (const part of (n.allOf as Node[] | undefined) ?? []) {
      visit(part, path, lastKey);
      visit(part.then, path, lastKey);
    }
    if (typeof n.additionalProperties === 'object')
      visit(n.additionalProperties, `${path}.${ENTRY_NAMES[lastKey] ?? '<name>'}`, '');
    if (typeof n.items === 'object') visit(n.items, `${path}[]`, lastKey);
  };
  visit(schema, '', '');
  return fields;
}

interface DocRow {
  readonly cells: readonly string[];
  readonly line: number;
}

/** Rows of the doc's field tables: `| \`path\` | type | default | meaning | example |`. */
function docRows(markdown: string): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  markdown.split('\n').forEach((text, index) => {
    const match = /^\|\s*`([^`]+)`\s*\|/.exec(text);
    if (match === null) return;
    const cells = text
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    if (rows.has(match[1]!)) throw new Error(`docs/spec.md:${index + 1}: ${match[1]} documented twice`);
    rows.set(match[1]!, { cells, line: index + 1 });
  });
  return rows;
}

describe('docs/spec.md against the spec JSON schema', () => {
  const fields = schemaFields(telemetrySpecSchema as unknown as Node);
  const rows = docRows(readFileSync(DOC, 'utf8'));

  it('walks the schema into field paths (sanity: nested maps, arrays, oneOf and allOf branches)', () => {
    expect(fields.get('service.name')?.required).toBe(true);
    expect(fields.has('events.<event>.fields.<field>.maxLength')).toBe(true);
    expect(fields.has('histograms.<metric>.buckets.fromSlos.perDecade')).toBe(true);
    expect(fields.has('slos.<slo>.alerting.<tier>.burnRate')).toBe(true);
    expect(fields.has('slos.<slo>.sli.threshold')).toBe(true);
    expect(fields.get('sampling.policies[].thresholdMs')?.required).toBe(true);
    expect(fields.get('slos.<slo>.window')?.literals).toEqual(['30d', '28d', '7d']);
  });

  it('documents every field of the schema', () => {
    expect([...fields.keys()].filter((path) => !rows.has(path))).toEqual([]);
  });

  it('documents no field the schema lacks', () => {
    expect([...rows.keys()].filter((path) => !fields.has(path))).toEqual([]);
  });

  it('gives every field a type, a default (or "required"), a meaning and an example', () => {
    const bad: string[] = [];
    for (const [path, row] of rows) {
      if (row.cells.length !== 5 || row.cells.slice(1).some((cell) => cell === ''))
        bad.push(`line ${row.line}: ${path} needs 5 filled cells (field, type, default, meaning, example)`);
    }
    expect(bad).toEqual([]);
  });

  it('says "required" exactly for the fields the schema requires', () => {
    const wrong: string[] = [];
    for (const [path, field] of fields) {
      const row = rows.get(path);
      if (row === undefined) continue;
      const saysRequired = /\brequired\b/.test(row.cells[2] ?? '');
      if (saysRequired !== field.required)
        wrong.push(
          `${path}: schema ${field.required ? 'requires it' : 'does not require it'}, doc default "${row.cells[2]}"`,
        );
    }
    expect(wrong).toEqual([]);
  });

  it('lists every allowed value of enum and const fields in the type column', () => {
    const missing: string[] = [];
    for (const [path, field] of fields) {
      const row = rows.get(path);
      if (row === undefined) continue;
      for (const value of field.literals) {
        const spelled = typeof value === 'string' ? `'${value}'` : String(value);
        if (!row.cells[1]!.includes(spelled)) missing.push(`${path}: ${spelled}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('states the defaults the code applies', () => {
    const count = (n: number): string => n.toLocaleString('en-US');
    const defaults: Record<string, string> = {
      'sampling.decisionWaitMs': count(DEFAULT_DECISION_WAIT_MS),
      'sampling.maxTraces': count(DEFAULT_MAX_TRACES),
      'sampling.maxSpansPerTrace': count(DEFAULT_MAX_SPANS_PER_TRACE),
      'sampling.maxBytes': `${DEFAULT_MAX_BYTES / 2 ** 20} MiB`,
      'slos.<slo>.minEvents': count(DEFAULT_MIN_EVENTS),
      'events.<event>.fields.<field>.maxLength': count(DEFAULT_MAX_STRING_LENGTH),
      'counters.<metric>.cardinalityLimit': count(DEFAULT_CARDINALITY_LIMIT),
      'gauges.<metric>.cardinalityLimit': count(DEFAULT_CARDINALITY_LIMIT),
      'histograms.<metric>.cardinalityLimit': count(DEFAULT_CARDINALITY_LIMIT),
    };
    const wrong: string[] = [];
    for (const [path, value] of Object.entries(defaults)) {
      const cell = rows.get(path)?.cells[2] ?? '';
      const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (!new RegExp(`(^|[^0-9,])${escaped}([^0-9,]|$)`).test(cell))
        wrong.push(`${path}: "${cell}", code says ${value}`);
    }
    expect(wrong).toEqual([]);
  });
});
