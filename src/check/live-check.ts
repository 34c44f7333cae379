// `check live`: watches a running service for a while — scrapes /metrics, reads its event log,
// receives its OTLP — and reports every way its telemetry deviates from the spec.
import { PassThrough, type Readable } from 'node:stream';
import { resolveSpec } from '../spec/model.js';
import type { TelemetrySpec } from '../spec/types.js';
import { checkExposition, checkSliSeries } from './check-exposition.js';
import { EventChecker } from './check-events.js';
import { OtlpChecker } from './check-otlp.js';
import { Deviations, type Deviation } from './deviations.js';
import { expectedTelemetry } from './expected.js';
import { followFile, followStream, type LogFollower } from './log-follower.js';
import { NotSpecLogRecords, type NotSpecLogScope } from './not-spec-log-records.js';
import { NotSpecMetrics, type NotSpecMetric } from './not-spec-metrics.js';
import { parseByteBound, parseMetricsUrl } from './options.js';
import { MAX_OTLP_BODY_BYTES, parseListenAddress, startOtlpSink, type OtlpSink } from './otlp-sink.js';
import { MAX_SCRAPE_BODY_BYTES, ScrapeError, scrapeMetrics, type Scrape } from './scrape.js';
import { UndeclaredAttributes, type UndeclaredAttribute } from './undeclared-attributes.js';
import {
  serviceExitProblem,
  startService,
  type OwnedService,
  type ServiceCommand,
  type ServiceExit,
} from './owned-service.js';

export interface LiveCheckOptions {
  readonly spec: TelemetrySpec;
  /**
   * The service's /metrics URL (http or https), scraped every `scrapeIntervalMs` and once more at
   * the end; a tick while a scrape is still running starts none.
   */
  readonly metricsUrl?: string;
  /** Event logs: file paths (followed from their start) or streams (e.g. process.stdin). */
  readonly logs?: string | Readable | readonly (string | Readable)[];
  /** Where to receive OTLP/HTTP, e.g. 127.0.0.1:4318 or 127.0.0.1:0 (any free port). */
  readonly otlpListen?: string;
  /** Default 5000. */
  readonly scrapeIntervalMs?: number;
  /**
   * Metric name prefixes that are not the spec's (`v8js_`, `nodejs.eventloop.`: dots and
   * underscores alike), for undeclared metrics no instrumentation scope vouches for, e.g. a
   * /metrics family without `otel_scope_name` that OTLP did not bring. Listed, not checked.
   */
  readonly allowMetrics?: readonly string[];
  /**
   * The largest /metrics body read, in bytes once decoded (default 32 MiB): a scrape past it
   * fails, and is reported like any failed scrape.
   */
  readonly maxScrapeBytes?: number;
  /**
   * The largest OTLP request body read, compressed and once decompressed (default 32 MiB): a
   * request past it is refused with 413 and reported as `input-failed`.
   */
  readonly maxOtlpBodyBytes?: number;
  /**
   * The service must answer /metrics until the end (CLI `--require-up`): scrapes no connection
   * answered after the last good one (a service that crashed, or stopped for good, before the
   * watch ended) are failed scrapes, an `input-failed` deviation, as between two good ones.
   * Default false: refused connections before the first good scrape and after the last are the
   * service starting and stopping within the watch (checkUnderLoad's load, a CLI run that outlasts
   * it), counted in `observed.scrapeFailures` only.
   */
  readonly requireUp?: boolean;
}

export interface LiveCheckReport {
  /** True when nothing deviates. */
  readonly ok: boolean;
  readonly deviations: readonly Deviation[];
  /** Distinct deviations past the report's bound, counted only. */
  readonly droppedDeviations: number;
  /**
   * Metrics the spec does not declare that are not the service's own: an OpenTelemetry
   * instrumentation scope's, or an allowed prefix's. Not checked, and no deviation.
   */
  readonly notSpecMetrics: readonly NotSpecMetric[];
  /** Distinct not-the-spec's metrics past the report's bound, counted only. */
  readonly droppedNotSpecMetrics: number;
  /**
   * OTLP log records that are not the spec's, by instrumentation scope: those of other loggers
   * than plumbline's event logger (the app's pino lines through instrumentation-pino …). Not
   * checked as events, and no deviation; their sensitive fields are still checked.
   */
  readonly notSpecLogRecords: readonly NotSpecLogScope[];
  /** Records of the scopes past the report's bound, counted only. */
  readonly droppedNotSpecLogRecords: number;
  /**
   * Attributes the service recorded on an instrument that does not declare them, from
   * plumbline's counter on /metrics: no label (exemplars only), so a misspelt or renamed key
   * shows here. The spec allows exemplar-only attributes: listed, no deviation.
   */
  readonly undeclaredAttributes: readonly UndeclaredAttribute[];
  readonly observed: {
    readonly durationMs: number;
    readonly scrapes: number;
    /**
     * Scrapes that failed, all of them; those of a service not yet up or already stopped (see
     * `input-failed` in check.md) are counted here and are no deviation.
     */
    readonly scrapeFailures: number;
    /** Ticks of the scrape interval that started no scrape: the one before was still running. */
    readonly scrapesSkipped?: number;
    readonly metricFamilies: number;
    readonly logLines: number;
    readonly otlpRequests: number;
    readonly spans: number;
    /**
     * Server and consumer spans with a parent whose exporter sent no OTLP span flags (older
     * exporters): whether each is a local root is unknown, so its sampling keys were not checked.
     */
    readonly entrySpansParentUnknown?: number;
    readonly logRecords: number;
    readonly metricPoints: number;
    /** The service the check started (`service`, CLI `-- COMMAND`), and how it ended. */
    readonly service?: ServiceExit;
  };
}

export interface LiveCheck {
  /** The OTLP/HTTP base URL to point the service (or a collector's exporter) at, when listening. */
  readonly otlpEndpoint: string | undefined;
  /** Scrapes now (e.g. the last time before the service under test stops). */
  scrape(): Promise<void>;
  /**
   * Takes a last scrape (unless `lastScrape: false`: the caller took it before stopping the
   * service), reads the rest of the log, stops listening and reports.
   */
  finish(options?: { readonly lastScrape?: boolean }): Promise<LiveCheckReport>;
}

/**
 * Starts watching; call `finish()` when the load is done. A `metricsUrl` that is not an http(s)
 * URL or an `otlpListen` that is not HOST:PORT is a LiveCheckOptionError, before anything starts.
 */
export async function startLiveCheck(options: LiveCheckOptions): Promise<LiveCheck> {
  if (options.metricsUrl !== undefined) parseMetricsUrl(options.metricsUrl);
  if (options.otlpListen !== undefined) parseListenAddress(options.otlpListen);
  const maxScrapeBytes = parseByteBound('maxScrapeBytes', options.maxScrapeBytes, MAX_SCRAPE_BODY_BYTES);
  const maxOtlpBodyBytes = parseByteBound('maxOtlpBodyBytes', options.maxOtlpBodyBytes, MAX_OTLP_BODY_BYTES);
  const spec = resolveSpec(options.spec).spec;
  const started = performance.now();
  const deviations = new Deviations();
  const notSpec = new NotSpecMetrics(deviations, options.allowMetrics);
  const expected = expectedTelemetry(spec);
  const notSpecLogs = new NotSpecLogRecords();
  const undeclaredAttributes = new UndeclaredAttributes();
  const events = new EventChecker(spec, expected.sensitiveFields, deviations, notSpecLogs);
  const otlp = new OtlpChecker(spec, expected, deviations, notSpec);
  let scrapes = 0;
  let scrapeFailures = 0;
  let scrapesSkipped = 0;
  let lastScrape: Scrape | undefined;
  let lastScrapeError: string | undefined;
  // Failed scrapes that are a deviation: any the service answered (an HTTP error, a timeout, a
  // body past the bound, a cut body), and those no connection answered between two good ones
  // (the service down mid-run). Before the first good scrape the service is starting, after the
  // last it was stopped: checkUnderLoad's load, or a CLI watch, starts and stops it within.
  let failedScrapes = 0;
  let lastFailure = { message: '', order: -1 };
  /** Unanswered failures since the last good scrape: a deviation once a good one follows. */
  let pendingUnreachable = 0;
  let lastPending = { message: '', order: -1 };
  let scrapeOrder = 0;
  /** The scrape running, if one is: at most one at a time. */
  let inFlight: { readonly done: Promise<void>; readonly abort: AbortController } | undefined;
  let finishing = false;

  /** One scrape; given up (counted neither way) when `signal` aborts it. */
  const scrapeOnce = async (url: string, signal: AbortSignal): Promise<void> => {
    try {
      const result = await scrapeMetrics(url, undefined, signal, maxScrapeBytes);
      if (signal.aborted) return;
      scrapes++;
      scrapeOrder++;
      failedScrapes += pendingUnreachable;
      if (pendingUnreachable > 0 && lastPending.order > lastFailure.order) lastFailure = lastPending;
      pendingUnreachable = 0;
      lastScrape = result;
      checkExposition(expected, result.exposition, result.openMetrics, deviations, notSpec);
      undeclaredAttributes.scraped(result.exposition);
    } catch (error) {
      if (signal.aborted) return;
      scrapeFailures++;
      const failure = { message: (error as Error).message, order: scrapeOrder++ };
      lastScrapeError = failure.message;
      if (error instanceof ScrapeError && error.unreachable) {
        if (scrapes > 0) {
          pendingUnreachable++;
          lastPending = failure;
        }
      } else {
        failedScrapes++;
        lastFailure = failure;
      }
    }
  };
  const startScrape = (): Promise<void> => {
    if (options.metricsUrl === undefined) return Promise.resolve();
    const abort = new AbortController();
    const done: Promise<void> = scrapeOnce(options.metricsUrl, abort.signal).finally(() => {
      if (inFlight?.done === done) inFlight = undefined;
    });
    inFlight = { done, abort };
    return done;
  };
  /** Waits for the scrape running to end (or be given up). */
  const settled = async (): Promise<void> => {
    while (inFlight !== undefined) await inFlight.done;
  };

  let sink: OtlpSink | undefined;
  if (options.otlpListen !== undefined) {
    sink = await startOtlpSink(
      options.otlpListen,
      (_signal, request) => {
        for (const span of request.spans) otlp.checkSpan(span);
        for (const record of request.logRecords) events.checkRecord(record);
        for (const metric of request.metrics) otlp.checkMetric(metric);
      },
      (signal, reason) => deviations.add('input-failed', `otlp ${signal ?? 'request'}`, 'spec', reason),
      { maxBodyBytes: maxOtlpBodyBytes },
    );
  }
  const onLine = (line: string) => events.checkLine(line);
  const followers: { name: string; follower: LogFollower }[] = logSourcesOf(options.logs).map((source) => ({
    name: typeof source === 'string' ? source : '(stream)',
    follower: typeof source === 'string' ? followFile(source, onLine) : followStream(source, onLine),
  }));

  void startScrape();
  // A slow /metrics must not queue a scrape per tick, each waiting out its timeout in turn.
  const timer = setInterval(() => {
    if (inFlight !== undefined) scrapesSkipped++;
    else void startScrape();
  }, options.scrapeIntervalMs ?? 5000);
  timer.unref();

  let report: Promise<LiveCheckReport> | undefined;
  return {
    otlpEndpoint: sink?.url,
    async scrape() {
      await settled();
      if (!finishing) await startScrape();
    },
    finish(finishOptions) {
      report ??= (async () => {
        finishing = true;
        clearInterval(timer);
        // The last scrape comes after the load: one still running from a tick is given up for
        // it, so the end waits for one scrape (at most its timeout), not for a queue of them.
        inFlight?.abort.abort();
        await settled();
        if (finishOptions?.lastScrape !== false) await startScrape();
        await Promise.all(followers.map(({ follower }) => follower.stop()));
        await sink?.close();
        events.finish();
        otlp.finish();
        // After the last scrape and the last OTLP request: the scopes OTLP brought decide /metrics families.
        notSpec.finish();
        // A service gone for good before the end, when it must stay up (regression:
        // check-live-passes-a-service-that-crashed-mid-watch).
        if (options.requireUp === true && pendingUnreachable > 0) {
          failedScrapes += pendingUnreachable;
          if (lastPending.order > lastFailure.order) lastFailure = lastPending;
          pendingUnreachable = 0;
        }
        if (options.metricsUrl !== undefined) {
          if (lastScrape === undefined)
            deviations.add(
              'input-failed',
              options.metricsUrl,
              'metrics',
              lastScrapeError ?? 'no scrape succeeded',
            );
          else checkSliSeries(spec, expected, lastScrape.exposition, deviations);
          if (lastScrape !== undefined && failedScrapes > 0)
            deviations.add(
              'input-failed',
              options.metricsUrl,
              'metrics',
              `${failedScrapes} of ${scrapes + scrapeFailures} scrapes failed (last: ${lastFailure.message})`,
              failedScrapes,
            );
          if (lastScrape !== undefined && !lastScrape.openMetrics)
            deviations.add(
              'exposition-invalid',
              options.metricsUrl,
              'metrics',
              `answered ${lastScrape.contentType || 'no content-type'} to an OpenMetrics request: units and exemplars cannot be checked`,
            );
        }
        for (const { name, follower } of followers) {
          const error = follower.error();
          if (error !== undefined) deviations.add('input-failed', name, 'logs', error);
        }
        const list = deviations.list();
        return {
          ok: list.length === 0 && deviations.dropped === 0,
          deviations: list,
          droppedDeviations: deviations.dropped,
          notSpecMetrics: notSpec.list(),
          droppedNotSpecMetrics: notSpec.dropped,
          notSpecLogRecords: notSpecLogs.list(),
          droppedNotSpecLogRecords: notSpecLogs.dropped,
          undeclaredAttributes: undeclaredAttributes.list(),
          observed: {
            durationMs: Math.round(performance.now() - started),
            scrapes,
            scrapeFailures,
            scrapesSkipped,
            metricFamilies: lastScrape?.exposition.families.size ?? 0,
            logLines: events.lines,
            otlpRequests: sink?.counts.requests ?? 0,
            spans: otlp.spans,
            entrySpansParentUnknown: otlp.entrySpansParentUnknown,
            logRecords: events.records,
            metricPoints: otlp.metricPoints,
          },
        };
      })();
      return report;
    },
  };
}

/** The service `runLiveCheck` starts and stops itself (CLI: `check live ... -- COMMAND`). */
export interface LiveCheckService extends ServiceCommand {
  /**
   * The service's standard output is an event log (CLI `--logs -`), followed as one; otherwise it
   * goes to `output` with its standard error.
   */
  readonly stdoutIsLog?: boolean;
  /** Where the service's output goes (default: nowhere). */
  readonly output?: (text: string) => void;
}

/**
 * Watches for `durationMs` (or until `signal` aborts, e.g. on Ctrl-C), then reports (what the CLI
 * runs). With `service`, the check starts it once it listens (OTLP endpoint in
 * `OTEL_EXPORTER_OTLP_ENDPOINT` unless its environment names one), takes the last scrape while it
 * is up, stops it with SIGTERM (its final export is still received), and reports how it ended: one
 * that exits before the end (the watch ends then), fails its SIGTERM or has to be killed is a
 * `service-exited` deviation. A command that cannot be run is a ServiceStartError.
 */
export async function runLiveCheck(
  options: LiveCheckOptions & {
    readonly durationMs: number;
    readonly signal?: AbortSignal;
    readonly onListening?: (otlpEndpoint: string) => void;
    readonly service?: LiveCheckService;
  },
): Promise<LiveCheckReport> {
  const serviceLog = options.service?.stdoutIsLog === true ? new PassThrough() : undefined;
  const logs = serviceLog === undefined ? options.logs : [...logSourcesOf(options.logs), serviceLog];
  const check = await startLiveCheck(logs === undefined ? options : { ...options, logs });
  if (check.otlpEndpoint !== undefined) options.onListening?.(check.otlpEndpoint);
  let service: OwnedService | undefined;
  if (options.service !== undefined) {
    const env = { ...(options.service.env ?? process.env) };
    if (check.otlpEndpoint !== undefined) env.OTEL_EXPORTER_OTLP_ENDPOINT ??= check.otlpEndpoint;
    try {
      service = await startService({ ...options.service, env });
    } catch (error) {
      serviceLog?.end();
      await check.finish();
      throw error;
    }
    const output = options.service.output;
    if (serviceLog !== undefined) service.stdout.pipe(serviceLog);
    else service.stdout.on('data', (chunk: Buffer) => output?.(chunk.toString()));
    service.stderr.on('data', (chunk: Buffer) => output?.(chunk.toString()));
  }
  let exitedEarly = false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, options.durationMs);
    options.signal?.addEventListener('abort', done, { once: true });
    if (options.signal?.aborted === true) done();
    void service?.exitedEarly.then(() => {
      exitedEarly = true;
      done();
    });
    function done(): void {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', done);
      resolve();
    }
  });
  if (service === undefined) return check.finish();
  // The last scrape while the service is up; then its SIGTERM, and its final export.
  if (!exitedEarly) await check.scrape();
  const exit = await service.stop();
  const report = await check.finish({ lastScrape: false });
  return withService(report, exit);
}

/** The `logs` option as a list of its sources. */
function logSourcesOf(logs: LiveCheckOptions['logs']): readonly (string | Readable)[] {
  if (logs === undefined) return [];
  return typeof logs === 'string' || !Array.isArray(logs) ? [logs as string | Readable] : logs;
}

function withService(report: LiveCheckReport, exit: ServiceExit): LiveCheckReport {
  const problem = serviceExitProblem(exit);
  const observed = { ...report.observed, service: exit };
  if (problem === undefined) return { ...report, observed };
  const deviation: Deviation = {
    kind: 'service-exited',
    subject: exit.command,
    source: 'service',
    detail: problem,
    count: 1,
  };
  return { ...report, ok: false, deviations: [...report.deviations, deviation], observed };
}
