// The OTLP span and log export processors createTelemetry and nodeSdkParts use, made to keep two
// promises OTel's own do not: a span that ends after the span export is shut down is counted as
// dropped, and the log export's shutdown lets the process exit at its bound (exportTimeoutMs)
// against a collector that never answers.
import { TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
  SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Agent as HttpAgent } from 'node:http';
import { requireOnUse } from '../require-on-use.js';

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

const TLS_FILE_VARIABLES = ['CERTIFICATE', 'CLIENT_KEY', 'CLIENT_CERTIFICATE'] as const;

/** An OTLP/HTTP exporter's `httpAgentOptions` given as a factory. */
type HttpAgentFactory = (protocol: string) => HttpAgent;

/**
 * The HTTP agents of an OTLP exporter, made by plumbline (OTel's default: keep-alive) so that
 * close() can end the requests under way and refuse new connections (a retry OTel already
 * scheduled). With TLS files in the environment (OTEL_EXPORTER_OTLP_[<SIGNAL>_]CERTIFICATE,
 * CLIENT_KEY, CLIENT_CERTIFICATE) the exporter keeps OTel's own agent, which reads them, and
 * close() cannot end its requests: each then runs out its timeout.
 */
export class ExportConnections {
  private readonly agents: HttpAgent[] = [];
  private closed = false;

  /** For the exporter's `httpAgentOptions`; undefined leaves OTel's agent. */
  agentFactory(signal: string, env: NodeJS.ProcessEnv = process.env): HttpAgentFactory | undefined {
    const tls = TLS_FILE_VARIABLES.some((name) =>
      [env[`OTEL_EXPORTER_OTLP_${signal}_${name}`], env[`OTEL_EXPORTER_OTLP_${name}`]].some(
        (value) => value !== undefined && value.trim() !== '',
      ),
    );
    if (tls) return undefined;
    return (protocol: string) => {
      // Loaded when the first export is made, as OTel's own factory does: after the HTTP
      // instrumentation, which must see node:http first.
      const { Agent } = requireOnUse(protocol === 'http:' ? 'node:http' : 'node:https') as {
        Agent: typeof HttpAgent;
      };
      const agent = new Agent({ keepAlive: true });
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
