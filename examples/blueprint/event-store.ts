// The embedded durable store: SQLite in WAL mode, one transaction per batch, the insert
// statement prepared once. Synchronous by design (better-sqlite3): a batch commit is short and
// a single writer needs no locking. Each row keeps its request's trace_id and request_id, so a
// stored event leads back to its trace; a store from before those columns is migrated at open.
import Database from 'better-sqlite3';
import { ensurePrivateFile, narrowIfExists } from './private-file.js';

export interface StoredEvent {
  readonly tenant: string;
  readonly type: string;
  readonly clientId: string | null;
  readonly receivedAt: number;
  readonly timestamp: number | null;
  readonly payload: string | null;
  readonly enrichment: string;
  readonly degraded: boolean;
  /** The request's trace (32 hex digits); null when it had no valid span context (telemetry off). */
  readonly traceId?: string | null;
  /** The request's ID: the span ID of its POST /events span, so (trace_id, request_id) names that span. */
  readonly requestId?: string | null;
}

/** Columns added after the first schema, with their type: added to an older store when it opens. */
const ADDED_COLUMNS: readonly (readonly [string, string])[] = [
  ['trace_id', 'TEXT'],
  ['request_id', 'TEXT'],
];

export class EventStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertMany: (rows: readonly StoredEvent[]) => { firstId: number; lastId: number };
  private readonly insertSomeThenThrow: (rows: readonly StoredEvent[], count: number, error: Error) => never;

  constructor(path: string, synchronous: 'normal' | 'full' = 'normal') {
    // Owner-only (0600) before SQLite opens it; its -wal and -shm files take the same mode.
    if (path !== ':memory:') {
      ensurePrivateFile(path);
      narrowIfExists(`${path}-wal`);
      narrowIfExists(`${path}-shm`);
    }
    this.db = new Database(path);
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL survives a process crash (what SIGTERM/kill need); FULL also a power cut.
    this.db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS events (
      id INTEGER PRIMARY KEY,
      tenant TEXT NOT NULL,
      type TEXT NOT NULL,
      client_id TEXT,
      received_at INTEGER NOT NULL,
      timestamp INTEGER,
      payload TEXT,
      enrichment TEXT NOT NULL,
      degraded INTEGER NOT NULL,
      trace_id TEXT,
      request_id TEXT
    )`);
    this.migrate();
    this.insert = this.db.prepare(
      'INSERT INTO events (tenant, type, client_id, received_at, timestamp, payload, enrichment, degraded, trace_id, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertMany = this.db.transaction((rows: readonly StoredEvent[]) => {
      let firstId = 0;
      let lastId = 0;
      for (let i = 0; i < rows.length; i++) {
        const id = this.insertRow(rows[i]!);
        if (i === 0) firstId = id;
        lastId = id;
      }
      return { firstId, lastId };
    });
    this.insertSomeThenThrow = this.db.transaction(
      (rows: readonly StoredEvent[], count: number, error: Error): never => {
        for (let i = 0; i < count && i < rows.length; i++) this.insertRow(rows[i]!);
        throw error;
      },
    );
  }

  /**
   * Inserts every row in one transaction: all of them are stored, or (on throw) none. An arrow
   * property so the batcher can hold the function itself (no wrapper when chaos is off).
   */
  readonly insertBatch = (rows: readonly StoredEvent[]): { firstId: number; lastId: number } =>
    this.insertMany(rows);

  /**
   * A write that dies mid-transaction (chaos kill_task): inserts `count` rows, then throws
   * `error`, and SQLite rolls the whole transaction back, exactly as a crash inside it would.
   */
  insertBatchThenFail(rows: readonly StoredEvent[], count: number, error: Error): never {
    return this.insertSomeThenThrow(rows, count, error);
  }

  /**
   * Brings a store written by an older version up to this schema in one transaction: the new
   * columns are added (nullable, so old rows read as "no trace"); nothing is rewritten.
   */
  private migrate(): void {
    const present = new Set(
      (this.db.prepare('PRAGMA table_info(events)').all() as { name: string }[]).map((column) => column.name),
    );
    const missing = ADDED_COLUMNS.filter(([name]) => !present.has(name));
    if (missing.length === 0) return;
    this.db.transaction(() => {
      for (const [name, type] of missing) this.db.exec(`ALTER TABLE events ADD COLUMN ${name} ${type}`);
    })();
  }

  /** The stored rows of one trace (what an operator looks up from a trace ID), oldest first. */
  rowsOfTrace(traceId: string): { id: number; tenant: string; type: string; requestId: string | null }[] {
    return (
      this.db
        .prepare('SELECT id, tenant, type, request_id FROM events WHERE trace_id = ? ORDER BY id')
        .all(traceId) as { id: number; tenant: string; type: string; request_id: string | null }[]
    ).map((row) => ({ id: row.id, tenant: row.tenant, type: row.type, requestId: row.request_id }));
  }

  private insertRow(row: StoredEvent): number {
    return Number(
      this.insert.run(
        row.tenant,
        row.type,
        row.clientId,
        row.receivedAt,
        row.timestamp,
        row.payload,
        row.enrichment,
        row.degraded ? 1 : 0,
        row.traceId ?? null,
        row.requestId ?? null,
      ).lastInsertRowid,
    );
  }

  count(where?: { tenant?: string; degraded?: boolean }): number {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (where?.tenant !== undefined) {
      clauses.push('tenant = ?');
      params.push(where.tenant);
    }
    if (where?.degraded !== undefined) {
      clauses.push('degraded = ?');
      params.push(where.degraded ? 1 : 0);
    }
    const sql = `SELECT COUNT(*) AS n FROM events${clauses.length > 0 ? ` WHERE ${clauses.join(' AND ')}` : ''}`;
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Counts rows in a store file from outside the service (tests, the demo's final report). */
export function countStoredEvents(path: string, where?: { tenant?: string; degraded?: boolean }): number {
  const store = new EventStore(path);
  try {
    return store.count(where);
  } finally {
    store.close();
  }
}

/** The rows a trace stored, read from a store file from outside the service (tests, the demo). */
export function storedRowsOfTrace(path: string, traceId: string): ReturnType<EventStore['rowsOfTrace']> {
  const store = new EventStore(path);
  try {
    return store.rowsOfTrace(traceId);
  } finally {
    store.close();
  }
}
