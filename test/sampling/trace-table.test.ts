import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceTable } from '../../src/sampling/trace-table.js';

interface Entry {
  readonly traceId: string;
  hash: number;
}

describe('TraceTable', () => {
  it('answers like a Map over any sequence of adds, deletes and lookups', () => {
    // Few distinct IDs, sharing their last 8 digits (the hash) in groups of two or three, in small
    // tables: long probe runs mixing entries of different homes, wrap-around, backward shifts.
    const id = fc
      .integer({ min: 0, max: 30 })
      .map((n) => `${n.toString(16).padStart(24, '0')}${((n * 7) % 11).toString(16).padStart(8, '0')}`);
    const op = fc.record({ kind: fc.constantFrom('add', 'delete', 'get'), id });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 150 }), (capacity, ops) => {
        const table = new TraceTable<Entry>(capacity);
        const model = new Map<string, Entry>();
        for (const o of ops) {
          const present = model.get(o.id);
          if (o.kind === 'add' && present === undefined && model.size < capacity) {
            const entry = { traceId: o.id, hash: 0 };
            table.add(entry);
            model.set(o.id, entry);
          } else if (o.kind === 'delete' && present !== undefined) {
            table.delete(present);
            model.delete(o.id);
          }
          expect(table.size).toBe(model.size);
          for (const [key, entry] of model) expect(table.get(key)).toBe(entry);
          expect(table.get(o.id)).toBe(model.get(o.id));
          expect(new Set(table.values())).toEqual(new Set(model.values()));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to hold more than its capacity', () => {
    const table = new TraceTable<Entry>(2);
    table.add({ traceId: '0af7651916cd43dd8448eb211c80319c', hash: 0 });
    table.add({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', hash: 0 });
    expect(() => table.add({ traceId: '5bf92f3577b34da6a3ce929d0e0e4736', hash: 0 })).toThrow(RangeError);
  });
});
