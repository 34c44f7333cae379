// `plumbline check live`: watches a running service's /metrics, event log and OTLP for a while
// and reports, by name, every way they deviate from the spec; exits 1 when anything does.
import { runLiveCheck } from '../check/live-check.js';
import { ServiceStartError } from '../check/owned-service.js';
import { LiveCheckOptionError, parseMetricsUrl } from '../check/options.js';
import { parseListenAddress } from '../check/otlp-sink.js';
import { formatReport } from '../check/report.js';
import { loadSpecFile } from '../spec/load.js';
import {
  HelpRequested,
  UsageError,
  unknownName,
  optionalFlag,
  parseArgs,
  requireFlag,
  type FlagKinds,
} from './args.js';
import type { CliCommand } from './main.js';

const USAGE =
  'usage: plumbline check live --spec FILE --metrics URL [--logs FILE[,FILE...]|-] [--otlp-listen ADDR]\n' +
  '                            [--duration 60s] [--scrape-interval 5s] [--allow-metric PREFIX[,PREFIX...]] [--json]\n' +
  '                            [--max-scrape-bytes 32MiB] [--max-otlp-body-bytes 32MiB] [--require-up]\n' +
  '                            [--stop-timeout 10s] [-- COMMAND [ARG...]]\n' +
  "  --metrics URL        the service's /metrics, scraped as OpenMetrics every interval and at the end\n" +
  '  --logs FILES|-       its event logs, comma-separated (each followed from the start), or - for stdin\n' +
  '  --otlp-listen ADDR   receive OTLP/HTTP (JSON or protobuf) on HOST:PORT: traces, logs, metrics\n' +
  '  --duration D         how long to watch: 500ms, 30s, 5m (default 60s)\n' +
  '  --scrape-interval D  time between scrapes of --metrics (default 5s)\n' +
  "  --allow-metric P,... metric name prefixes that are not the spec's (e.g. v8js_,nodejs.eventloop.), for\n" +
  '                       undeclared metrics no instrumentation scope names (docs/check.md)\n' +
  '  --json               the report as JSON\n' +
  '  --max-scrape-bytes N     most bytes of one /metrics body, once decoded (default 32MiB); a larger one\n' +
  '                           fails its scrape\n' +
  '  --max-otlp-body-bytes N  most bytes of one OTLP request, once inflated (default 32MiB); a larger one\n' +
  '                           is answered 413 and reported\n' +
  '                           (N: bytes, or with KiB, MiB or GiB: 512KiB, 64MiB)\n' +
  '  --require-up         the service must answer /metrics until the end: refused scrapes after the\n' +
  '                       last good one (it crashed or stopped) are a deviation, not a service stopping\n' +
  '  -- COMMAND ARG...    start the service itself (no shell) once the check listens, with\n' +
  '                       OTEL_EXPORTER_OTLP_ENDPOINT set to --otlp-listen unless its environment has\n' +
  '                       one, and stop it with SIGTERM at the end. Exiting before the end, failing its\n' +
  '                       SIGTERM or being killed is a deviation. --logs - reads its standard output;\n' +
  '                       otherwise its output goes to standard error\n' +
  '  --stop-timeout D     with -- COMMAND: how long it has to exit after SIGTERM before SIGKILL (default 10s)\n' +
  'exit codes: 0 no deviation, 1 deviations (or an error), 2 bad usage (a COMMAND that cannot be run too)\n';

const CHECK_FLAGS: FlagKinds = {
  spec: 'value',
  metrics: 'value',
  logs: 'value',
  'otlp-listen': 'value',
  duration: 'value',
  'scrape-interval': 'value',
  'allow-metric': 'value',
  json: 'switch',
  'require-up': 'switch',
  'stop-timeout': 'value',
  'max-scrape-bytes': 'value',
  'max-otlp-body-bytes': 'value',
};

export const checkCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') throw new HelpRequested(USAGE);
  // Without its subcommand, bad usage like any other (exit 2), as schema, slo and generate.
  if (sub !== 'live') throw new UsageError(unknownName('subcommand', sub, ['live']), USAGE);
  // Everything after `--` is the service to start (its own flags are not the check's).
  const dash = rest.indexOf('--');
  const command = dash < 0 ? undefined : rest.slice(dash + 1);
  if (command?.length === 0)
    throw new UsageError('--: expected the command of the service to start after it', USAGE);
  const parsed = parseArgs(dash < 0 ? rest : rest.slice(0, dash), CHECK_FLAGS, USAGE);
  const specPath = requireFlag(parsed, 'spec');
  const metricsUrl = requireFlag(parsed, 'metrics');
  const durationText = optionalFlag(parsed, 'duration') ?? '60s';
  const durationMs = parseCheckDuration(durationText);
  if (durationMs === undefined) {
    io.stderr(`--duration: expected a duration such as 500ms, 30s or 5m, got "${durationText}"\n${USAGE}`);
    return 2;
  }
  const intervalText = optionalFlag(parsed, 'scrape-interval') ?? '5s';
  const scrapeIntervalMs = parseCheckDuration(intervalText);
  if (scrapeIntervalMs === undefined || scrapeIntervalMs < 100) {
    io.stderr(
      `--scrape-interval: expected a duration of at least 100ms such as 1s or 15s, got "${intervalText}"\n${USAGE}`,
    );
    return 2;
  }
  const stopText = optionalFlag(parsed, 'stop-timeout');
  const stopTimeoutMs = stopText === undefined ? undefined : parseCheckDuration(stopText);
  if (stopText !== undefined && (stopTimeoutMs === undefined || command === undefined)) {
    io.stderr(
      command === undefined
        ? `--stop-timeout: only with a service to start (-- COMMAND)\n${USAGE}`
        : `--stop-timeout: expected a duration such as 500ms, 30s or 5m, got "${stopText}"\n${USAGE}`,
    );
    return 2;
  }
  const bounds: { maxScrapeBytes?: number; maxOtlpBodyBytes?: number } = {};
  for (const [flag, key] of [
    ['max-scrape-bytes', 'maxScrapeBytes'],
    ['max-otlp-body-bytes', 'maxOtlpBodyBytes'],
  ] as const) {
    const text = optionalFlag(parsed, flag);
    if (text === undefined) continue;
    const bytes = parseByteSize(text);
    if (bytes === undefined) {
      io.stderr(
        `--${flag}: expected a whole number of bytes such as 1048576, 512KiB or 64MiB, got "${text}"\n${USAGE}`,
      );
      return 2;
    }
    bounds[key] = bytes;
  }
  const otlpListen = optionalFlag(parsed, 'otlp-listen');
  try {
    parseMetricsUrl(metricsUrl);
    if (otlpListen !== undefined) parseListenAddress(otlpListen);
  } catch (error) {
    if (!(error instanceof LiveCheckOptionError)) throw error;
    io.stderr(`${error.message}\n${USAGE}`);
    return 2;
  }
  const spec = await loadSpecFile(specPath);
  const logs = optionalFlag(parsed, 'logs');
  const allowMetric = optionalFlag(parsed, 'allow-metric');
  // Ctrl-C (or SIGTERM) ends the watch early and still prints the report of what was seen.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const running = runLiveCheck({
    spec,
    metricsUrl,
    durationMs,
    scrapeIntervalMs,
    signal: stop.signal,
    ...bounds,
    ...(parsed.flags.get('require-up') === true ? { requireUp: true } : {}),
    ...(logs === undefined
      ? {}
      : logs === '-'
        ? command === undefined
          ? { logs: process.stdin }
          : {}
        : { logs: logs.split(',').filter((p) => p !== '') }),
    ...(otlpListen === undefined ? {} : { otlpListen }),
    ...(allowMetric === undefined
      ? {}
      : {
          allowMetrics: allowMetric
            .split(',')
            .map((prefix) => prefix.trim())
            .filter((prefix) => prefix !== ''),
        }),
    onListening: (endpoint) => io.stderr(`receiving OTLP/HTTP on ${endpoint}\n`),
    ...(command === undefined
      ? {}
      : {
          service: {
            command,
            // `--logs -` is the service's standard output, not the check's standard input.
            stdoutIsLog: logs === '-',
            ...(stopTimeoutMs === undefined ? {} : { stopTimeoutMs }),
            output: (text: string) => io.stderr(text),
          },
        }),
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  let report;
  try {
    report = await running;
  } catch (error) {
    if (!(error instanceof ServiceStartError)) throw error;
    io.stderr(`${error.message}\n`);
    return 2;
  }
  io.stdout(
    parsed.flags.get('json') === true ? JSON.stringify(report, null, 2) + '\n' : formatReport(report),
  );
  return report.ok ? 0 : 1;
};

/** Bytes of `1048576`, `512KiB`, `64MiB`, `1GiB` (at least 1); undefined for anything else. */
export function parseByteSize(text: string): number | undefined {
  const match = /^([0-9]+)(B|KiB|MiB|GiB)?$/.exec(text.trim());
  if (match === null) return undefined;
  const bytes =
    Number(match[1]) * { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[(match[2] ?? 'B') as 'B'];
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

/** Milliseconds of `500ms`, `30s`, `1.5m`, `1h`; undefined for anything else. */
export function parseCheckDuration(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) return undefined;
  const ms =
    Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return ms > 0 ? ms : undefined;
}
