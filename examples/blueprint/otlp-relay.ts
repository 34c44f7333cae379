// The demo's OTLP/HTTP relay on loopback: the blueprint and its dependency processes export to it;
// it counts the spans of each trace by service (so the summary can show one kept request trace
// across the three services, and the storage batch that links it) and forwards every request as
// it came to the user's OTLP endpoint when one is set. Bounded: the oldest traces are forgotten.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One kept request trace as the relay saw it. */
export interface RelayedTrace {
  readonly traceId: string;
  /** Spans by service.name, e.g. { blueprint: 5, geo: 1, profile: 1 }. */
  readonly spansByService: Readonly<Record<string, number>>;
  /** The storage batch trace that links this one, with its span count, when seen. */
  readonly batch?: { readonly traceId: string; readonly spans: number };
}

interface TraceEntry {
  readonly services: Map<string, number>;
  /** Has the blueprint's ingress span (a request trace, not a batch). */
  request: boolean;
  /** Traces whose spans link to this one (its storage batch). */
  linkedFrom: string | undefined;
}

interface OtlpSpan {
  traceId?: string;
  name?: string;
  links?: { traceId?: string }[];
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value?: { stringValue?: string } }[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

const MAX_TRACES = 20_000;
const MAX_BODY = 16 << 20;
/** Forwards under way at once; past it a request is not forwarded and counted in `forwardDropped`. */
const MAX_FORWARDS_IN_FLIGHT = 64;
/** How long close() waits for the forwards under way (the services' last flush among them). */
const CLOSE_WAIT_MS = 5_000;

export class OtlpRelay {
  private readonly traces = new Map<string, TraceEntry>();
  /** Requests forwarded upstream (answered or not). */
  forwarded = 0;
  /** Requests forwarded upstream that failed (the demo reports it; nothing is retried). */
  forwardFailures = 0;
  /** Requests not forwarded: MAX_FORWARDS_IN_FLIGHT already under way (a slow upstream). */
  forwardDropped = 0;
  /** Why the last failed forward failed: `HTTP 401`, `ECONNREFUSED`. */
  lastForwardError: string | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly upstreamHeaders: Readonly<Record<string, string>>;
  /** Bodies that were not OTLP/JSON traces (protobuf, bad JSON): forwarded, not indexed. */
  unreadBodies = 0;

  private readonly server: Server;
  private readonly upstream: string | undefined;
  /** Where to export: http://127.0.0.1:<port> (set once listening). */
  url = '';

  private constructor(upstream: string | undefined, headers: Readonly<Record<string, string>>) {
    this.upstream = upstream?.replace(/\/+$/, '');
    this.upstreamHeaders = headers;
    this.server = createServer((req, res) => {
      void readAll(req).then((body) => {
        res.writeHead(body === undefined ? 413 : 200, { 'content-type': 'application/json' });
        res.end('{}');
        if (body !== undefined) this.receive(req, body);
      });
    });
  }

  /**
   * Listens on a free loopback port; `upstream` (an OTLP/HTTP base URL) gets a copy of everything,
   * with `headers` on every request (OTEL_EXPORTER_OTLP_HEADERS: see otlpHeadersFromEnv).
   */
  static async start(upstream?: string, headers: Readonly<Record<string, string>> = {}): Promise<OtlpRelay> {
    const relay = new OtlpRelay(upstream, headers);
    await new Promise<void>((resolve, reject) => {
      relay.server.once('error', reject);
      relay.server.listen(0, '127.0.0.1', () => resolve());
    });
    relay.url = `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}`;
    return relay;
  }

  /** The newest request trace seen in the blueprint and at least `services` services, with its batch if seen. */
  keptTrace(services = 3): RelayedTrace | undefined {
    let best: RelayedTrace | undefined;
    for (const [traceId, entry] of this.traces) {
      if (!entry.request || entry.services.size < services) continue;
      const batch = entry.linkedFrom === undefined ? undefined : this.traces.get(entry.linkedFrom);
      // Newest wins (Map order is arrival order); one with its batch seen beats one without.
      if (best !== undefined && best.batch !== undefined && batch === undefined) continue;
      best = {
        traceId,
        spansByService: Object.fromEntries(entry.services),
        ...(batch === undefined
          ? {}
          : {
              batch: {
                traceId: entry.linkedFrom!,
                spans: [...batch.services.values()].reduce((a, b) => a + b, 0),
              },
            }),
      };
    }
    return best;
  }

  /** Stops listening, then waits (at most 5 s) for the forwards under way to be answered. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  private receive(req: IncomingMessage, raw: Buffer): void {
    if (this.upstream !== undefined) {
      this.forward(req, raw);
    }
    if (req.url !== '/v1/traces') return;
    try {
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      this.index(JSON.parse(text) as OtlpTraces);
    } catch {
      this.unreadBodies++;
    }
  }

  private forward(req: IncomingMessage, raw: Buffer): void {
    if (this.inFlight.size >= MAX_FORWARDS_IN_FLIGHT) {
      this.forwardDropped++;
      return;
    }
    const headers: Record<string, string> = { ...this.upstreamHeaders };
    for (const name of ['content-type', 'content-encoding']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    this.forwarded++;
    const failed = (why: string): void => {
      this.forwardFailures++;
      this.lastForwardError = why;
    };
    const done: Promise<void> = fetch(`${this.upstream}${req.url ?? ''}`, {
      method: 'POST',
      headers,
      body: raw,
    })
      .then(
        async (response) => {
          if (!response.ok) failed(`HTTP ${response.status}`);
          await response.body?.cancel();
        },
        (error: Error & { cause?: { code?: string; message?: string } }) =>
          failed(error.cause?.code ?? error.cause?.message ?? error.message),
      )
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  private index(body: OtlpTraces): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service =
        resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ??
        'unknown';
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          if (span.traceId === undefined) continue;
          const entry = this.entry(span.traceId);
          entry.services.set(service, (entry.services.get(service) ?? 0) + 1);
          if (service === 'blueprint' && span.name === 'POST /events') entry.request = true;
          for (const link of span.links ?? [])
            if (link.traceId !== undefined && link.traceId !== span.traceId)
              this.entry(link.traceId).linkedFrom = span.traceId;
        }
      }
    }
  }

  private entry(traceId: string): TraceEntry {
    let entry = this.traces.get(traceId);
    if (entry === undefined) {
      if (this.traces.size >= MAX_TRACES) this.traces.delete(this.traces.keys().next().value!);
      entry = { services: new Map(), request: false, linkedFrom: undefined };
      this.traces.set(traceId, entry);
    }
    return entry;
  }
}

function readAll(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
  });
}

/**
 * The headers OTEL_EXPORTER_OTLP_HEADERS names (`key1=value1,key2=value2`, values URL-encoded, as
 * the OTLP exporter specification says), for the relay to send upstream: the services send their
 * exports to the relay, and an upstream that wants an API key would refuse every forward without.
 * An entry without `=` is skipped.
 */
export function otlpHeadersFromEnv(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of (value ?? '').split(',')) {
    const at = entry.indexOf('=');
    if (at <= 0) continue;
    const key = entry.slice(0, at).trim().toLowerCase();
    let decoded = entry.slice(at + 1).trim();
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // not percent-encoded: kept as written
    }
    if (key !== '') headers[key] = decoded;
  }
  return headers;
}
