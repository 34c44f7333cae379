// plumbline's own lines about a failed export or flush: one line each (the error's message and
// code, never its stack trace), and per kind of failure the first at once, then at most one line
// per interval saying how many more failed. Each failure is still counted on the self metrics
// (plumbline_telemetry_dropped_total, plumbline_otlp_metric_export_failures_total): the lines are
// for whoever reads the service's logs during the incident that took the collector away.

/** At most one line per kind of failure per this many milliseconds, after the first. */
export const FAILURE_LINE_INTERVAL_MS = 60_000;
/** A line's description of the failure is cut to this many characters. */
const MAX_DESCRIPTION = 400;
/** Errors described of a list (an AggregateError, a flush's several failures). */
const MAX_LISTED = 3;

export interface FailureReportOptions {
  /** Writes one line (diag.warn or diag.error). */
  readonly write: (line: string) => void;
  readonly intervalMs?: number;
  /** Milliseconds; default performance.now. A wall clock may step back: that ends the interval. */
  readonly now?: () => number;
}

export class FailureReport {
  private readonly kinds = new Map<string, { lineAt: number; since: number }>();

  constructor(private readonly options: FailureReportOptions) {}

  /**
   * A failure of a kind ("OTLP metric export failed", the line's start): a line now, or counted
   * into the kind's next one.
   */
  failed(kind: string, reason: unknown): void {
    const now = this.options.now?.() ?? performance.now();
    const interval = this.options.intervalMs ?? FAILURE_LINE_INTERVAL_MS;
    const last = this.kinds.get(kind);
    // A wall clock (a caller's coarse Date.now) that stepped back ends the interval at once.
    if (last !== undefined && now - last.lineAt < interval && now >= last.lineAt) {
      last.since++;
      return;
    }
    const more =
      last === undefined || last.since === 0
        ? ''
        : now < last.lineAt
          ? ` (and ${last.since} more since the last line)`
          : ` (and ${last.since} more in the last ${Math.round((now - last.lineAt) / 1000)} s)`;
    // The kinds are the callers' fixed strings: a handful of entries.
    this.kinds.set(kind, { lineAt: now, since: 0 });
    try {
      this.options.write(`plumbline: ${kind}: ${describeFailure(reason)}${more}`);
    } catch {
      // Reporting must not throw into the export or the host.
    }
  }
}

/**
 * A failure in one line: an error's message, its causes' (fetch's "fetch failed" says why only
 * in its cause) and its code, never its stack; a list's first few.
 */
export function describeFailure(reason: unknown): string {
  const text = Array.isArray(reason) ? describeList(reason, 0) : describeOne(reason, 0);
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length > MAX_DESCRIPTION ? `${line.slice(0, MAX_DESCRIPTION - 1)}…` : line;
}

function describeList(reasons: readonly unknown[], depth: number): string {
  const listed = reasons.slice(0, MAX_LISTED).map((reason) => describeOne(reason, depth));
  if (reasons.length > MAX_LISTED) listed.push(`and ${reasons.length - MAX_LISTED} more`);
  return listed.join('; ');
}

function describeOne(reason: unknown, depth: number): string {
  if (!(reason instanceof Error)) {
    try {
      return String(reason);
    } catch {
      return 'an unprintable reason';
    }
  }
  const parts: string[] = [];
  let code: string | undefined;
  for (let error: unknown = reason, level = 0; error instanceof Error && level < 4; level++) {
    const message = error.message === '' ? undefined : error.message;
    if (message !== undefined && !parts.some((part) => part.includes(message))) parts.push(message);
    code ??= codeOf(error);
    error = error.cause;
  }
  // An AggregateError (connecting to each address of a name) says nothing in its own message.
  const errors = (reason as { errors?: unknown }).errors;
  if (parts.length === 0 && Array.isArray(errors) && depth < 2) parts.push(describeList(errors, depth + 1));
  let text = parts.length === 0 ? reason.name : parts.join(': ');
  if (code !== undefined && !text.includes(code)) text += ` (${code})`;
  return text;
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}
