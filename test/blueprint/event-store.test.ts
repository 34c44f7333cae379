// The event store's schema: rows keep their request's trace_id and request_id, and a store
// written before those columns existed opens, gains them, and keeps every old row as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { EventStore, countStoredEvents, storedRowsOfTrace } from '../../examples/blueprint/event-store.js';

const dir = mkdtempSync(join(tmpdir(), 'event-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const row = (type: string, traceId?: string) => ({
  tenant: 'acme',
  type,
  clientId: null,
  receivedAt: 1,
  timestamp: null,
  payload: null,
  enrichment: '{}',
  degraded: false,
  ...(traceId === undefined ? {} : { traceId, requestId: '00f067aa0ba902b7' }),
});

describe('EventStore', () => {
  it('keeps the trace_id and request_id of each row, and finds the rows of a trace', () => {
    const path = join(dir, 'new.db');
    const store = new EventStore(path);
    store.insertBatch([row('a', TRACE), row('b'), row('c', TRACE)]);
    store.close();
    expect(storedRowsOfTrace(path, TRACE)).toEqual([
      { id: 1, tenant: 'acme', type: 'a', requestId: '00f067aa0ba902b7' },
      { id: 3, tenant: 'acme', type: 'c', requestId: '00f067aa0ba902b7' },
    ]);
  });

  it('migrates a store from before trace IDs: columns added, old rows kept, new rows traced', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE events (
      id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, type TEXT NOT NULL, client_id TEXT,
      received_at INTEGER NOT NULL, timestamp INTEGER, payload TEXT, enrichment TEXT NOT NULL,
      degraded INTEGER NOT NULL)`);
    old
      .prepare(
        `INSERT INTO events (tenant, type, client_id, received_at, timestamp, payload, enrichment, degraded)
         VALUES ('acme', 'before', 'c-1', 5, NULL, '{"k":1}', '{}', 1)`,
      )
      .run();
    old.close();

    const store = new EventStore(path);
    store.insertBatch([row('after', TRACE)]);
    store.close();
    // Opening it again finds nothing left to migrate.
    expect(countStoredEvents(path)).toBe(2);
    const check = new Database(path, { readonly: true });
    const rows = check.prepare('SELECT * FROM events ORDER BY id').all();
    check.close();
    expect(rows).toEqual([
      {
        id: 1,
        tenant: 'acme',
        type: 'before',
        client_id: 'c-1',
        received_at: 5,
        timestamp: null,
        payload: '{"k":1}',
        enrichment: '{}',
        degraded: 1,
        trace_id: null,
        request_id: null,
      },
      expect.objectContaining({ id: 2, type: 'after', trace_id: TRACE, request_id: '00f067aa0ba902b7' }),
    ]);
  });
});
