// The OTLP span and log export processors createTelemetry and nodeSdkParts use, made to keep two
// promises OTel's own do not: a span that ends after the span export is shut down is counted as
// dropped, and the log export's shutdown lets the process exit at its bound (exportTimeoutMs)
// against a collector that never answers.
import { diag, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
  SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { readFileSync } from 'node:fs';
import type { Agent as HttpAgent } from 'node:http';
import { resolve } from 'node:path';
import { requireOnUse } from '../require-on-use.js';
import { otlpVariable } from './otlp-env.js';

/**
 * OTel's batch span processor, counting the spans it drops because they ended after its
 * shutdown (it drops those without a word). Behind the tail sampler it sees none: the sampler
 * drops and counts them first.
 */
export class OtlpBatchSpanProcessor extends BatchSpanProcessor {
  private shutDown = false;

  constructor(
    config: ConstructorParameters<typeof BatchSpanProcessor>[0],
    private readonly afterShutdown: () => void,
  ) {
    super(config);
  }

  override onEnd(span: ReadableSpan): void {
    // As the processor itself: a span that is not sampled is never exported, so never dropped.
    if (this.shutDown && (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) this.afterShutdown();
    super.onEnd(span);
  }

  override shutdown(): Promise<void> {
    this.shutDown = true;
    return super.shutdown();
  }
}

/**
 * OTel's batch log processor, whose shutdown gives up on the OTLP log export `boundMs` after it
 * began. The processor flushes its queue at shutdown one batch after another, each waiting out
 * the export timeout on a socket that keeps the process alive: against a black-holed collector,
 * shutdown() returned at its bound and the process lived on for every batch (4.0 s for 2,000
 * records at exportTimeoutMs 1,000, 40 s at the defaults). Given up, the export fails at once, so
 * the processor counts what it still held as export_failed and ends, and no socket is left open.
 */
export class BoundedShutdownLogRecordProcessor implements LogRecordProcessor {
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly processor: LogRecordProcessor,
    private readonly exporter: GivingUpLogExporter,
    private readonly boundMs: number,
    /** Counts a record emitted once shutdown has begun (OTel's processor drops it without a word). */
    private readonly afterShutdown: () => void,
  ) {}

  onEmit(logRecord: SdkLogRecord, context?: Context): void {
    if (this.shutdownPromise !== undefined) {
      this.afterShutdown();
      return;
    }
    this.processor.onEmit(logRecord, context);
  }

  forceFlush(): Promise<void> {
    return this.processor.forceFlush();
  }

  shutdown(): Promise<void> {
    if (this.shutdownPromise === undefined) {
      // Set before the processor starts the shutdown's first export, so it fires before that
      // export's own timeout.
      const timer = setTimeout(() => this.exporter.giveUp(), this.boundMs);
      timer.unref();
      this.shutdownPromise = this.processor.shutdown().finally(() => clearTimeout(timer));
    }
    return this.shutdownPromise;
  }
}

const GAVE_UP_MESSAGE = 'plumbline: OTLP export given up at shutdown (not done within exportTimeoutMs)';

/** What an export given up on fails with: no retryable network error code, so never retried. */
function gaveUp(): Error {
  return Object.assign(new Error(GAVE_UP_MESSAGE), { code: 'PLUMBLINE_EXPORT_GIVEN_UP' });
}

/**
 * An OTLP exporter that can be given up on: the exports under way are answered at once, failed
 * (their callers stop waiting and count them), later exports fail at once, and the exporter's
 * connections are closed.
 */
export class GivingUpLogExporter implements LogRecordExporter {
  private gaveUpOn = false;
  private readonly waiting = new Set<(result: ExportResult) => void>();
  private readonly given: Promise<void>;
  private resolveGiven: () => void = () => {};

  constructor(
    private readonly exporter: LogRecordExporter,
    private readonly connections: ExportConnections,
  ) {
    this.given = new Promise((resolve) => (this.resolveGiven = resolve));
  }

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.gaveUpOn) return resultCallback({ code: ExportResultCode.FAILED, error: gaveUp() });
    let answered = false;
    const answer = (result: ExportResult) => {
      if (answered) return;
      answered = true;
      this.waiting.delete(answer);
      resultCallback(result);
    };
    this.waiting.add(answer);
    this.exporter.export(logs, answer);
  }

  // OTel's exporter waits for the exports it still runs (the processor calls forceFlush between
  // batches, shutdown at the end): not past the moment the export is given up.
  forceFlush(): Promise<void> {
    return Promise.race([this.exporter.forceFlush(), this.given]);
  }

  shutdown(): Promise<void> {
    return Promise.race([this.exporter.shutdown(), this.given]);
  }

  giveUp(): void {
    if (this.gaveUpOn) return;
    this.gaveUpOn = true;
    this.resolveGiven();
    for (const answer of [...this.waiting]) answer({ code: ExportResultCode.FAILED, error: gaveUp() });
    this.connections.close();
  }
}

/** An OTLP/HTTP exporter's `httpAgentOptions` given as a factory. */
type HttpAgentFactory = (protocol: string) => HttpAgent;

/** What an https: agent is given from the environment's TLS files. */
export interface TlsFiles {
  readonly ca: Buffer | undefined;
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
}

/**
 * The HTTP agents of an OTLP exporter, made by plumbline (OTel's default: keep-alive) so that
 * close() can end the requests under way and refuse new connections (a retry OTel already
 * scheduled). An exporter given a factory no longer reads the TLS files in the environment
 * (OTEL_EXPORTER_OTLP_[<SIGNAL>_]CERTIFICATE, CLIENT_KEY, CLIENT_CERTIFICATE), so the factory
 * reads them as OTel's own does and gives them to its https: agents.
 */
export class ExportConnections {
  private readonly agents: HttpAgent[] = [];
  private closed = false;

  /** For the exporter's `httpAgentOptions`; `signal` as in the variables' names, e.g. LOGS. */
  agentFactory(signal: string, env: NodeJS.ProcessEnv = process.env): HttpAgentFactory {
    const tls = tlsFilesFromEnv(signal, env);
    return (protocol: string) => {
      // Loaded when the first export is made, as OTel's own factory does: after the HTTP
      // instrumentation, which must see node:http first.
      const { Agent } = requireOnUse(protocol === 'http:' ? 'node:http' : 'node:https') as {
        Agent: typeof HttpAgent;
      };
      // As OTel's factory: the TLS files go to an https: agent only.
      const agent = new Agent(protocol === 'http:' ? { keepAlive: true } : { keepAlive: true, ...tls });
      const createConnection = agent.createConnection.bind(agent);
      agent.createConnection = (connectionOptions, callback) => {
        if (!this.closed) return createConnection(connectionOptions, callback);
        process.nextTick(() => callback?.(gaveUp(), undefined as never));
        return undefined;
      };
      this.agents.push(agent);
      return agent;
    };
  }

  close(): void {
    this.closed = true;
    for (const agent of this.agents) {
      // With an error that is no retryable network error: the request fails, not retried.
      for (const sockets of Object.values(agent.sockets))
        for (const socket of sockets ?? []) socket.destroy(gaveUp());
      agent.destroy();
    }
  }
}

/**
 * The TLS files an OTLP/HTTP exporter reads from the environment, read as otlp-exporter-base
 * does (getNodeHttpConfigurationFromEnvironment): when the exporter is made, the signal's own
 * variable before the general one, a path from the working directory; a file that cannot be read
 * is warned about and left out. The log export's agents get them, and so does plumbline's own
 * metric export (OtlpJsonMetricExporter's `tls`).
 */
export function tlsFilesFromEnv(signal: string, env: NodeJS.ProcessEnv = process.env): TlsFiles {
  const read = (name: string, what: string): Buffer | undefined => {
    const path = otlpVariable(env, signal, name)?.value;
    if (path === undefined) return undefined;
    try {
      return readFileSync(resolve(process.cwd(), path));
    } catch {
      diag.warn(`plumbline: failed to read the OTLP ${what} file ${path}`);
      return undefined;
    }
  };
  return {
    ca: read('CERTIFICATE', 'root certificate'),
    cert: read('CLIENT_CERTIFICATE', 'client certificate chain'),
    key: read('CLIENT_KEY', 'client certificate private key'),
  };
}
