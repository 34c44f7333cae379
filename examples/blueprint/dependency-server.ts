// A small real HTTP dependency the enrichment stage calls: POST /lookup {"keys": [...]} ->
// {"values": {key: value}}. Latency and failure rate are injectable at start and at run time
// (POST /control), so the demo and the tests can make it slow, flaky or down.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Faults {
  /** Added to every lookup. */
  latencyMs: number;
  /** Uniform extra delay 0..jitterMs. */
  jitterMs: number;
  /** Fraction of lookups answered with 500. */
  failureRate: number;
}

export interface DependencyServer {
  readonly name: string;
  readonly url: string;
  readonly faults: Faults;
  /** Lookups answered, by status. */
  readonly served: { ok: number; failed: number };
  setFaults(faults: Partial<Faults>): void;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export async function startDependency(
  name: string,
  options: { port?: number; faults?: Partial<Faults> } = {},
): Promise<DependencyServer> {
  const faults: Faults = { latencyMs: 2, jitterMs: 3, failureRate: 0, ...options.faults };
  const served = { ok: 0, failed: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return reply(413, { error: 'body too large' });
      let body: { keys?: unknown } & Partial<Faults>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
      } catch {
        return reply(400, { error: 'invalid JSON' });
      }
      if (req.method === 'POST' && req.url === '/control') {
        setFaults(body);
        return reply(200, faults);
      }
      if (req.method !== 'POST' || req.url !== '/lookup' || !Array.isArray(body.keys))
        return reply(404, { error: 'POST /lookup {"keys": [...]}' });
      const keys = body.keys.map(String);
      const delay = faults.latencyMs + Math.random() * faults.jitterMs;
      const timer = setTimeout(() => {
        if (Math.random() < faults.failureRate) {
          served.failed++;
          return reply(500, { error: 'injected failure' });
        }
        served.ok++;
        const values: Record<string, string> = {};
        for (const key of keys) values[key] = `${name}-${hash(key) % 16}`;
        reply(200, { values });
      }, delay);
      // A caller that gave up (budget spent) frees the slot at once.
      res.on('close', () => clearTimeout(timer));
    });
    function reply(status: number, body: unknown): void {
      if (res.destroyed) return;
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    }
  });
  function setFaults(next: Partial<Faults>): void {
    if (typeof next.latencyMs === 'number' && next.latencyMs >= 0) faults.latencyMs = next.latencyMs;
    if (typeof next.jitterMs === 'number' && next.jitterMs >= 0) faults.jitterMs = next.jitterMs;
    if (typeof next.failureRate === 'number' && next.failureRate >= 0 && next.failureRate <= 1)
      faults.failureRate = next.failureRate;
  }
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    faults,
    served,
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
